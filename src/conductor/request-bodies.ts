// The API's request bodies as the Conductor validates them (the shapes are in shared/protocol/api.ts).
import { z } from 'zod';
import type { ManifestBody as ManifestBodyShape } from '../shared/protocol/api';

export const ManifestBody: z.ZodType<ManifestBodyShape> = z.object({
  path: z.string().min(1).max(4096),
  text: z.string().max(1024 * 1024 + 1024),
  apps: z.array(z.string()).optional(),
});

export const ScaleBody = z.object({ replicas: z.number().int().min(0).max(1000) });
export const RollbackBody = z.object({ to: z.number().int().positive().optional() });
export const ShutdownBody = z.object({ stopWorkloads: z.boolean().optional() });
