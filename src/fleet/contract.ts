/** The shape of the operator's fleet view as the API returns it: a contract module (docs/ARCHITECTURE.md, Layout). */
import { z } from 'zod';
import { instant } from '../platform/contract.js';

/** A worker process as the fleet view shows it. */
export const fleetWorkerSchema = z.object({
  id: z.string(),
  pool: z.string(),
  capacity: z.number(),
  version: z.string().nullable(),
  hostname: z.string().nullable(),
  pid: z.number().int().nullable(),
  startedAt: instant.nullable(),
  heartbeatAt: instant,
  draining: z.boolean(),
  health: z.record(z.string(), z.unknown()).nullable(),
});

/** A tenant's session and the lease on it. */
export const fleetSessionSchema = z.object({
  tenantId: z.uuid(),
  tenantName: z.string(),
  pool: z.string(),
  weight: z.number(),
  workerId: z.string().nullable(),
  epoch: z.number().int().nullable(),
  state: z.string(),
  expiresAt: instant.nullable(),
  grantedAt: instant.nullable(),
  failures: z.number().int(),
  restarts: z.number().int().nullable(),
  lastError: z.string().nullable(),
  retryAt: instant.nullable(),
  health: z.record(z.string(), z.unknown()).nullable(),
  /** Set while the session should run but has no live holder: since when, and why (in English, from the server). */
  waitingSince: instant.nullable(),
  waitingReason: z.string().nullable(),
});

/** The operator's fleet view: workers and the tenant sessions they hold (`GET /api/admin/fleet`). */
export const fleetSchema = z.object({ workers: z.array(fleetWorkerSchema), sessions: z.array(fleetSessionSchema) }).meta({ id: 'Fleet' });
export type Fleet = z.output<typeof fleetSchema>;
