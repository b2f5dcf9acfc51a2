import os from 'node:os';
import type { Database } from '../platform/db/index.js';
import type { Fleet } from './contract.js';

export interface WorkerIdentity {
  id: string;
  pool: string;
  capacity: number;
  version: string;
}

export interface Grant {
  tenantId: string;
  epoch: number;
  weight: number;
}

export interface PoolLoad {
  sessionWeight: number;
  liveCapacity: number;
  liveWorkers: number;
}

/**
 * Every SQL statement of the fleet. Cross-tenant steps call the fleet_* functions (the
 * narrow doors of migration 0005); per-tenant steps run in the tenant's RLS scope.
 */
export class FleetStore {
  constructor(readonly db: Database) {}

  async registerWorker(worker: WorkerIdentity): Promise<void> {
    await this.db.withoutTenant((tx) => tx.query(
      `INSERT INTO workers (id, pool, capacity, version, hostname, pid) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO UPDATE SET heartbeat_at = now(), draining = false`,
      [worker.id, worker.pool, worker.capacity, worker.version, os.hostname(), process.pid]));
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

  async syncSessions(): Promise<void> {
    await this.db.withoutTenant((tx) => tx.query(`SELECT fleet_sync_sessions()`));
  }

  async claim(workerId: string, pool: string, budget: number, ttlMs: number): Promise<Grant[]> {
    if (budget <= 0) return [];
    return this.db.withoutTenant(async (tx) => (await tx.query<{ tenant_id: string; epoch: number; weight: number }>(
      `SELECT tenant_id, epoch, weight FROM fleet_claim($1, $2, $3, $4)`, [workerId, pool, budget, ttlMs])).rows
      .map((r) => ({ tenantId: r.tenant_id, epoch: Number(r.epoch), weight: r.weight })));
  }

  /** Renews held leases; returns the tenant ids still held. */
  async renew(workerId: string, held: Array<{ tenantId: string; epoch: number }>, ttlMs: number): Promise<Set<string>> {
    if (held.length === 0) return new Set();
    const rows = await this.db.withoutTenant(async (tx) => (await tx.query<{ tenant_id: string }>(
      `SELECT tenant_id FROM fleet_renew($1, $2::uuid[], $3::bigint[], $4)`,
      [workerId, held.map((h) => h.tenantId), held.map((h) => h.epoch), ttlMs])).rows);
    return new Set(rows.map((r) => r.tenant_id));
  }

  async poolLoad(pool: string, workerTtlMs: number): Promise<PoolLoad> {
    const row = await this.db.withoutTenant(async (tx) => (await tx.query<{ session_weight: number; live_capacity: number; live_workers: number }>(
      `SELECT * FROM fleet_pool_load($1, $2)`, [pool, workerTtlMs])).rows[0]!);
    return { sessionWeight: Number(row.session_weight), liveCapacity: Number(row.live_capacity), liveWorkers: Number(row.live_workers) };
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
                                        expires_at AS "expiresAt", granted_at AS "grantedAt", failures, restarts, last_error AS "lastError", retry_at AS "retryAt", health
                                   FROM fleet_overview()`)).rows,
    }));
  }
}
