// An answer of the API that is an error: its HTTP status, a message for the user and details. The
// operations refuse in their own terms (a Refusal); this is where a refusal becomes a status.
import { Refusal } from './operations';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
  }
}

const STATUS: Record<Refusal['kind'], number> = { invalid: 400, 'not-found': 404, conflict: 409, unprocessable: 422 };

/** The API error an error thrown by a handler stands for, or null when it is not one the API explains. */
export function apiErrorOf(err: unknown): ApiError | null {
  if (err instanceof ApiError) return err;
  if (err instanceof Refusal) return new ApiError(STATUS[err.kind], err.message, err.details);
  return null;
}
