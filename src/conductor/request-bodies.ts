// The API's request bodies as the Conductor validates them: one zod schema per route that takes a
// body (the routes and the bodies' types: shared/protocol/routes.ts and api.ts). Server-side only, so
// zod never reaches the extension. The compiler checks that each schema gives exactly its route's type.
import { z } from 'zod';
import type { BodyOf, BodyRoute, RouteName } from '../shared/protocol/routes';

const manifestBody = z.object({
  path: z.string().min(1).max(4096),
  text: z.string().max(1024 * 1024 + 1024),
  apps: z.array(z.string()).optional(),
  watch: z.boolean().optional(),
});

const SCHEMAS = {
  up: manifestBody,
  rollout: manifestBody,
  workspace: z.object({ manifests: z.array(manifestBody).min(1).max(100), mode: z.enum(['up', 'rollout']), watch: z.boolean().optional() }),
  watch: z.object({ on: z.boolean() }),
  downMany: z.object({ apps: z.array(z.string().min(1).max(100)).min(1).max(1000), force: z.boolean().optional() }),
  scale: z.object({ replicas: z.number().int().min(0).max(1000) }),
  rollback: z.object({ to: z.number().int().positive().optional() }),
  shutdown: z.object({ stopWorkloads: z.boolean().optional() }),
} satisfies { [K in BodyRoute]: z.ZodType<BodyOf<K>> };

/** Each schema's output and its route's body type have the same keys and are assignable both ways (else this does not compile). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? ([keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false) : false) : false;
const AGREE: { [K in BodyRoute]: Same<z.output<(typeof SCHEMAS)[K]>, BodyOf<K>> } = { up: true, rollout: true, workspace: true, watch: true, downMany: true, scale: true, rollback: true, shutdown: true };
void AGREE;

/**
 * A route's body, validated (`undefined` for a route that takes none: whatever was sent is ignored),
 * or what is wrong with it, for a 400.
 */
export function parseBody<K extends RouteName>(name: K, value: unknown): { body: BodyOf<K> } | { problem: string } {
  const schema: z.ZodType | undefined = (SCHEMAS as Partial<Record<RouteName, z.ZodType>>)[name];
  if (!schema) return { body: undefined as BodyOf<K> };
  const r = schema.safeParse(value);
  if (r.success) return { body: r.data as BodyOf<K> };
  const issue = r.error.issues[0]!;
  const where = issue.path.length > 0 ? `\`${issue.path.join('.')}\`` : 'body';
  return { problem: `bad request ${where}: ${issue.message}` };
}
