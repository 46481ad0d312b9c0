// The API's request bodies as the Conductor validates them: one zod schema per route that takes a
// body (the routes and the bodies' types: shared/protocol/routes.ts and api.ts), with zod/mini. Server-side
// only, so zod never reaches the extension. The compiler checks that each schema gives exactly its route's type.
import * as z from 'zod/mini';
import '../shared/protocol/zod-messages';
import type { BodyOf, BodyRoute, RouteName } from '../shared/protocol/routes';

const manifestBody = z.object({
  path: z.string().check(z.minLength(1), z.maxLength(4096)),
  text: z.string().check(z.maxLength(1024 * 1024 + 1024)),
  apps: z.optional(z.array(z.string())),
  watch: z.optional(z.boolean()),
});

const SCHEMAS = {
  up: manifestBody,
  rollout: manifestBody,
  workspace: z.object({ manifests: z.array(manifestBody).check(z.minLength(1), z.maxLength(100)), mode: z.enum(['up', 'rollout']), watch: z.optional(z.boolean()) }),
  watch: z.object({ on: z.boolean() }),
  downMany: z.object({ apps: z.array(z.string().check(z.minLength(1), z.maxLength(100))).check(z.minLength(1), z.maxLength(1000)), force: z.optional(z.boolean()) }),
  scale: z.object({ replicas: z.number().check(z.int(), z.gte(0), z.lte(1000)) }),
  rollback: z.object({ to: z.optional(z.number().check(z.int(), z.positive())) }),
  shutdown: z.object({ stopWorkloads: z.optional(z.boolean()) }),
} satisfies { [K in BodyRoute]: z.ZodMiniType<BodyOf<K>> };

/** Each schema's output and its route's body type have the same keys and are assignable both ways (else this does not compile). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? ([keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false) : false) : false;
const AGREE: { [K in BodyRoute]: Same<z.output<(typeof SCHEMAS)[K]>, BodyOf<K>> } = { up: true, rollout: true, workspace: true, watch: true, downMany: true, scale: true, rollback: true, shutdown: true };
void AGREE;

/**
 * A route's body, validated (`undefined` for a route that takes none: whatever was sent is ignored),
 * or what is wrong with it, for a 400.
 */
export function parseBody<K extends RouteName>(name: K, value: unknown): { body: BodyOf<K> } | { problem: string } {
  const schema: z.ZodMiniType | undefined = (SCHEMAS as Partial<Record<RouteName, z.ZodMiniType>>)[name];
  if (!schema) return { body: undefined as BodyOf<K> };
  const r = schema.safeParse(value);
  if (r.success) return { body: r.data as BodyOf<K> };
  const issue = r.error.issues[0]!;
  const where = issue.path.length > 0 ? `\`${issue.path.join('.')}\`` : 'body';
  return { problem: `bad request ${where}: ${issue.message}` };
}
