import os from 'node:os';
import type { Database } from '../platform/db/index.js';
import type { Fleet } from './contract.js';
import { Second } from '../platform/time.js';
import type { PoolView } from './fair-share.js';

export interface WorkerIdentity {
  id: string;
  pool: string;
  capacity: number;
  version: string;
  /** The key of the advisory lock its process holds while alive (null: judged by heartbeat only). */
  livenessKey?: number | null;
}

export interface Grant {
  tenantId: string;
  epoch: number;
  weight: number;
}

export interface PoolLoad extends PoolView {
  liveWorkers: number;
}

export interface ClaimLimits {
  /** Weight that may be claimed among overdue sessions, beyond `budget` (default 0). */
  overdueBudget?: number;
  /** A session waiting this long is overdue (default: the lease TTL). */
  overdueAfterMs?: number;
  /** A dead worker's lease (liveness lock gone) becomes claimable once it has not been renewed for this long. */
  orphanGraceMs?: number;
}

/** Default `orphanGraceMs`: time for a live worker that lost its liveness connection to stop its pollers before its leases move. */
export const orphanGraceMs = Second;

/**
 * Every SQL statement of the fleet. Cross-tenant steps call the fleet_* functions (the
 * narrow doors of migration 0005); per-tenant steps run in the tenant's RLS scope.
 */
export class FleetStore {
  constructor(readonly db: Database) {}

  async registerWorker(worker: WorkerIdentity): Promise<void> {
    await this.db.withoutTenant((tx) => tx.query(
      `INSERT INTO workers (id, pool, capacity, version, hostname, pid, liveness_key) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (id) DO UPDATE SET heartbeat_at = now(), draining = false, liveness_key = EXCLUDED.liveness_key`,
      [worker.id, worker.pool, worker.capacity, worker.version, os.hostname(), process.pid, worker.livenessKey ?? null]));
  }

  async heartbeat(workerId: string, health: Record<string, unknown>, draining: boolean): Promise<void> {
    await this.db.withoutTenant((tx) => tx.query(
      `UPDATE workers SET heartbeat_at = now(), health = $2::jsonb, draining = $3 WHERE id = $1`, [workerId, JSON.stringify(health), draining]));
  }

  async deregisterWorker(workerId: string): Promise<void> {
    await this.db.withoutTenant((tx) => tx.query(`DELETE FROM workers WHERE id = $1`, [workerId]));
  }

  /** Forgets workers silent for a long time (crashed without deregistering). */
  async forgetDeadWorkers(olderThanMs: number): Promise<void> {
    await this.db.withoutTenant((tx) => tx.query(`DELETE FROM workers WHERE heartbeat_at < now() - $1 * interval '1 millisecond'`, [olderThanMs]));
  }

  /** How many unexpired leases of the pool belong to workers whose process died (liveness lock gone). */
  async orphanedLeases(pool: string): Promise<number> {
    return Number((await this.db.readWithoutTenant<{ n: number }>(`SELECT fleet_orphaned_leases($1) AS n`, [pool]))[0]?.n ?? 0);
  }

  async syncSessions(): Promise<void> {
    await this.db.withoutTenant((tx) => tx.query(`SELECT fleet_sync_sessions()`));
  }

  async claim(workerId: string, pool: string, budget: number, ttlMs: number, limits: ClaimLimits = {}): Promise<Grant[]> {
    const overdueBudget = limits.overdueBudget ?? 0;
    if (budget <= 0 && overdueBudget <= 0) return [];
    return this.db.withoutTenant(async (tx) => (await tx.query<{ tenant_id: string; epoch: number; weight: number }>(
      `SELECT tenant_id, epoch, weight FROM fleet_claim($1, $2, $3, $4, $5, $6, $7)`,
      [workerId, pool, Math.max(0, budget), ttlMs, overdueBudget, limits.overdueAfterMs ?? ttlMs, limits.orphanGraceMs ?? orphanGraceMs])).rows
      .map((r) => ({ tenantId: r.tenant_id, epoch: Number(r.epoch), weight: r.weight })));
  }

  /** Renews held leases; returns the ones still held, with their weight now (plans change). */
  async renew(workerId: string, held: Array<{ tenantId: string; epoch: number }>, ttlMs: number): Promise<Map<string, number>> {
    if (held.length === 0) return new Map();
    const rows = await this.db.withoutTenant(async (tx) => (await tx.query<{ tenant_id: string; weight: number }>(
      `SELECT tenant_id, weight FROM fleet_renew($1, $2::uuid[], $3::bigint[], $4)`,
      [workerId, held.map((h) => h.tenantId), held.map((h) => h.epoch), ttlMs])).rows);
    return new Map(rows.map((r) => [r.tenant_id, r.weight]));
  }

  /** The pool as a worker plans its share: demand, live supply, the heaviest and the overdue session, the roomiest worker. */
  async poolLoad(pool: string, workerTtlMs: number, overdueAfterMs = workerTtlMs): Promise<PoolLoad> {
    const row = await this.db.withoutTenant(async (tx) => (await tx.query<{
      session_weight: number; live_capacity: number; live_workers: number; max_weight: number; overdue_weight: number; roomiest_worker: string | null;
    }>(`SELECT * FROM fleet_pool_load($1, $2, $3)`, [pool, workerTtlMs, overdueAfterMs])).rows[0]!);
    return {
      sessionWeight: Number(row.session_weight), liveCapacity: Number(row.live_capacity), liveWorkers: Number(row.live_workers),
      maxWeight: Number(row.max_weight), overdueWeight: Number(row.overdue_weight), roomiestWorker: row.roomiest_worker,
    };
  }

  /** Gives a lease back at once (graceful stop, rebalance): the next claim anywhere can take it. */
  async release(lease: { tenantId: string; workerId: string; epoch: number }): Promise<void> {
    await this.db.withTenant(lease.tenantId, (tx) => tx.query(
      `UPDATE leases SET worker_id = NULL, expires_at = NULL WHERE worker_id = $1 AND epoch = $2`, [lease.workerId, lease.epoch]));
  }

  /**
   * A session failed. Below the limit it backs off (released, retried after `retryAt` by any
   * worker); at the limit, or when `park` says retrying is pointless, it is parked as failed.
   */
  async recordFailure(lease: { tenantId: string; workerId: string; epoch: number }, error: string, options: { park: boolean; maxFailures: number; backoffMs: (failures: number) => number }): Promise<{ parked: boolean; failures: number }> {
    return this.db.withTenant(lease.tenantId, async (tx) => {
      const { rows } = await tx.query<{ failures: number }>(
        `UPDATE leases SET failures = failures + 1, last_error = $3, restarts = restarts + 1 WHERE worker_id = $1 AND epoch = $2 RETURNING failures`,
        [lease.workerId, lease.epoch, error.slice(0, 500)]);
      const failures = rows[0]?.failures ?? 0;
      const parked = options.park || failures >= options.maxFailures;
      await tx.query(
        `UPDATE leases SET worker_id = NULL, expires_at = NULL, state = $3,
                retry_at = CASE WHEN $3 = 'backoff' THEN now() + $4 * interval '1 millisecond' ELSE NULL END
          WHERE worker_id = $1 AND epoch = $2`,
        [lease.workerId, lease.epoch, parked ? 'failed' : 'backoff', options.backoffMs(failures)]);
      return { parked, failures };
    });
  }

  /**
   * Writes the health of every session this worker holds (fenced by epoch) in one statement;
   * `healthy` sessions (running well for a while) have their failure streak forgiven.
   */
  async reportHealth(workerId: string, sessions: Array<{ tenantId: string; epoch: number; health: Record<string, unknown>; healthy: boolean }>): Promise<void> {
    if (sessions.length === 0) return;
    await this.db.withoutTenant((tx) => tx.query(
      `SELECT fleet_report_health($1, $2::uuid[], $3::bigint[], $4::jsonb[], $5::boolean[])`,
      [workerId, sessions.map((s) => s.tenantId), sessions.map((s) => s.epoch), sessions.map((s) => JSON.stringify(s.health)), sessions.map((s) => s.healthy)]));
  }

  /** Of these tenants, the ones with a schedule due now. */
  async dueSchedules(tenantIds: string[]): Promise<string[]> {
    if (tenantIds.length === 0) return [];
    return this.db.withoutTenant(async (tx) => (await tx.query<{ tenant_id: string }>(
      `SELECT tenant_id FROM fleet_due_schedules($1::uuid[], now())`, [tenantIds])).rows.map((r) => r.tenant_id));
  }

  /**
   * A fingerprint of the working bots of each of these tenants ('' for a tenant without
   * any): it changes when a bot is connected, reconnected or disconnected.
   */
  async botFingerprints(tenantIds: string[]): Promise<Map<string, string>> {
    if (tenantIds.length === 0) return new Map();
    const rows = await this.db.withoutTenant(async (tx) => (await tx.query<{ tenant_id: string; fingerprint: string }>(
      `SELECT tenant_id, fingerprint FROM fleet_bot_fingerprints($1::uuid[])`, [tenantIds])).rows);
    const fingerprints = new Map(tenantIds.map((id) => [id, '']));
    for (const row of rows) fingerprints.set(row.tenant_id, row.fingerprint);
    return fingerprints;
  }

  async overview(): Promise<Fleet> {
    return this.db.withoutTenant(async (tx) => ({
      workers: (await tx.query<Fleet['workers'][number]>(`SELECT id, pool, capacity, version, hostname, pid, started_at AS "startedAt", heartbeat_at AS "heartbeatAt", draining, health FROM workers ORDER BY pool, id`)).rows,
      sessions: (await tx.query<Fleet['sessions'][number]>(`SELECT tenant_id AS "tenantId", tenant_name AS "tenantName", pool, weight, worker_id AS "workerId", epoch, state,
                                        expires_at AS "expiresAt", granted_at AS "grantedAt", failures, restarts, last_error AS "lastError", retry_at AS "retryAt", health,
                                        waiting_since AS "waitingSince", waiting_reason AS "waitingReason"
                                   FROM fleet_overview()`)).rows,
    }));
  }
}
