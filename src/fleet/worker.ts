import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Logger } from '../platform/log.js';
import { Minute, Second } from '../platform/time.js';
import { TenantSession, type SessionDeps, type SessionFailure } from '../sessions/tenant-session.js';
import { FleetStore, orphanGraceMs, type Grant } from './fleet-store.js';
import { planPlacement } from './fair-share.js';
import { holdLiveness, type Liveness } from './liveness.js';
import type { SessionLease } from '../platform/fencing.js';
import { leaseChanges, sessionFailures, sessionsByState, workerCapacity, workerLoad, workerSessions } from './metrics.js';

export interface WorkerOptions {
  pool: string;
  capacity: number;
  leaseTtlMs: number;
  version: string;
  /** Consecutive failures after which a session is parked as failed instead of retried. */
  maxFailures?: number;
  /** Share of the fair share a worker may hold above it before it sheds sessions. */
  slack?: number;
  /** How often the sessions' bots are compared with the database, in case a signal was lost (default 30 s). */
  reconcileEveryMs?: number;
  log: Logger;
}

interface Held {
  lease: SessionLease;
  weight: number;
  session: TenantSession;
  since: number;
  /** The tenant's bots as the database listed them just before the session started. */
  bots: string;
}

/** A session running this long without failing has its failure streak forgiven. */
const healthyAfter = Minute;
/** How often a worker writes its sessions' health to their lease rows (the operator view). */
const healthReportEvery = 10 * Second;
/** How long a session may run other bots than the database lists when the signal saying so was lost. */
const reconcileEvery = 30 * Second;
/** How often a worker looks for leases of a dead peer (its liveness lock gone) to take over. */
const orphanCheckEvery = Second;

/** Backoff before a failed session is retried: 2 s doubling, at most 5 minutes. */
export function sessionBackoff(failures: number): number {
  return Math.min(5 * Minute, 2 * Second * 2 ** Math.max(0, failures - 1));
}

/**
 * A worker process's share of the fleet. Every tick (a third of the lease TTL) it
 * heartbeats, renews its leases, claims free sessions up to its fair share of the pool,
 * sheds sessions above it so a new worker gets work at once, and has the sessions whose
 * schedules are due run them. If renewing fails for longer than the TTL minus a safety
 * margin, it stops every session *before* the leases can expire and be granted elsewhere
 * (self-fencing).
 */
export class Worker {
  readonly id = `${os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  readonly #held = new Map<string, Held>();
  readonly #store: FleetStore;
  readonly #log: Logger;
  #timer: NodeJS.Timeout | undefined;
  #fenceTimer: NodeJS.Timeout | undefined;
  #lastRenewOk = Date.now();
  #ticking: Promise<void> | undefined;
  #draining = false;
  #lastSync = 0;
  #lastHealthReport = 0;
  #lastReconcile = Date.now();
  /** This process's liveness lock; undefined on PGlite, or while it is lost and not yet taken again. */
  #liveness: Liveness | undefined;
  #livenessLost = false;
  #orphanTimer: NodeJS.Timeout | undefined;
  #checkingOrphans = false;

  constructor(readonly sessionDeps: SessionDeps, readonly options: WorkerOptions) {
    this.#store = new FleetStore(sessionDeps.db);
    this.#log = options.log.child({ worker_id: this.id });
    workerCapacity.set(options.capacity);
  }

  get tickMs(): number {
    return Math.max(100, Math.floor(this.options.leaseTtlMs / 3));
  }

  /** Renewal must succeed within this long, or the worker fences itself. */
  get fenceAfterMs(): number {
    return this.options.leaseTtlMs - Math.max(this.tickMs / 2, Math.min(2 * Second, this.options.leaseTtlMs / 4));
  }

  async start(): Promise<void> {
    await this.#register();
    this.#log.info({ pool: this.options.pool, capacity: this.options.capacity, leaseTtlMs: this.options.leaseTtlMs, liveness: this.#liveness !== undefined }, 'worker started');
    this.#lastRenewOk = Date.now();
    await this.tick();
    this.#timer = setInterval(() => void this.tick(), this.tickMs);
    this.#fenceTimer = setInterval(() => this.#fenceIfStale(), Math.min(500, this.tickMs));
    if (this.#liveness) this.#orphanTimer = setInterval(() => void this.#takeOverDeadPeers(), orphanCheckEvery);
  }

  /**
   * Takes the liveness lock first, then registers with its key: peers never see this
   * worker's row without the lock. Until both succeeded, the next round tries again.
   */
  async #register(): Promise<void> {
    await this.#liveness?.lock.release();
    this.#liveness = await holdLiveness(this.sessionDeps.db, (error) => this.#lostLiveness(error));
    await this.#store.registerWorker({ id: this.id, pool: this.options.pool, capacity: this.options.capacity, version: this.options.version, livenessKey: this.#liveness?.key ?? null });
    this.#livenessLost = false;
  }

  /** One round of the lease protocol; rounds never overlap. */
  tick(): Promise<void> {
    this.#ticking ??= this.#round().finally(() => { this.#ticking = undefined; });
    return this.#ticking;
  }

  sessions(): Array<{ tenantId: string; epoch: number; weight: number; health: ReturnType<TenantSession['health']> }> {
    return [...this.#held.values()].map((h) => ({ tenantId: h.lease.tenantId, epoch: h.lease.epoch, weight: h.weight, health: h.session.health() }));
  }

  /** Wakes the drainer of a tenant's session if this worker runs it. */
  wake(tenantId: string): void {
    this.#held.get(tenantId)?.session.wake();
  }

  /**
   * Graceful stop (SIGTERM): take no new work, stop every session (in-flight sends finish),
   * and release the leases so another worker takes over at once instead of after the TTL.
   */
  async stop(): Promise<void> {
    this.#draining = true;
    clearInterval(this.#timer);
    clearInterval(this.#fenceTimer);
    clearInterval(this.#orphanTimer);
    await this.#ticking;
    await Promise.all([...this.#held.values()].map((held) => this.#drop(held, 'released', true)));
    await this.#store.deregisterWorker(this.id).catch(() => {});
    await this.#liveness?.lock.release();
    this.#log.info('worker stopped; leases released');
  }

  async #round(): Promise<void> {
    if (this.#draining) return;
    const started = Date.now();
    try {
      if (this.#livenessLost) await this.#register();
      await this.#store.heartbeat(this.id, this.#healthSummary(), false);
      const renewed = await this.#store.renew(this.id, [...this.#held.values()].map((h) => h.lease), this.options.leaseTtlMs);
      // The renewal was sent at `started`: the leases are valid until at least started + TTL.
      this.#lastRenewOk = started;
      for (const held of [...this.#held.values()]) {
        const weight = renewed.get(held.lease.tenantId);
        if (weight === undefined) await this.#drop(held, 'expired', false);
        else held.weight = weight; // the tenant's plan may have changed since the grant
      }
      if (Date.now() - this.#lastSync > this.options.leaseTtlMs) {
        this.#lastSync = Date.now();
        await this.#store.syncSessions();
        await this.#store.forgetDeadWorkers(10 * this.options.leaseTtlMs);
      }
      if (Date.now() - this.#lastReconcile >= (this.options.reconcileEveryMs ?? reconcileEvery)) {
        this.#lastReconcile = Date.now();
        await this.#reconcileBots();
      }
      await this.#rebalance();
      // One query for every held session, instead of each session polling its schedules.
      for (const tenantId of await this.#store.dueSchedules([...this.#held.keys()])) this.#held.get(tenantId)?.session.runDueSchedules();
      if (Date.now() - this.#lastHealthReport >= healthReportEvery) {
        this.#lastHealthReport = Date.now();
        await this.#store.reportHealth(this.id, [...this.#held.values()].map((h) => {
          const health = h.session.health();
          return { tenantId: h.lease.tenantId, epoch: h.lease.epoch, health: { ...health }, healthy: health.connected && Date.now() - h.since >= healthyAfter };
        }));
      }
    } catch (error) {
      this.#log.warn({ err: error }, 'lease round failed');
    } finally {
      this.#updateGauges();
    }
  }

  /**
   * Sheds and claims as `planPlacement` says (src/fleet/fair-share.ts): the fair share of
   * the pool, sessions waiting longer than a TTL beyond it, and room made for them when
   * capacity blocks them. Shed sessions are released at once for another worker to claim.
   */
  async #rebalance(): Promise<void> {
    const overdueAfterMs = this.options.leaseTtlMs;
    const pool = await this.#store.poolLoad(this.options.pool, this.options.leaseTtlMs, overdueAfterMs);
    const plan = planPlacement({ id: this.id, capacity: this.options.capacity, slack: this.options.slack ?? 0.1 }, pool,
      [...this.#held.values()].map((h) => ({ tenantId: h.lease.tenantId, weight: h.weight, since: h.since })));
    for (const tenantId of plan.shed) {
      const held = this.#held.get(tenantId);
      if (held) await this.#drop(held, 'shed', true);
    }
    const grants = await this.#store.claim(this.id, this.options.pool, plan.budget, this.options.leaseTtlMs, { overdueBudget: plan.overdueBudget, overdueAfterMs });
    // Started side by side: after a crash a survivor takes a dozen sessions at once, and one
    // after another the last would wait for every other's start (credentials, bots, channel).
    // Read before the sessions start: a change in between makes the next reconcile restart one needlessly, never miss it.
    const bots = await this.#store.botFingerprints(grants.map((g) => g.tenantId));
    await Promise.all(grants.map((grant) => this.#run(grant, bots.get(grant.tenantId) ?? '')));
  }

  /**
   * A peer's process died (its liveness lock is gone) while holding leases: claim them
   * once the orphan grace has passed, instead of waiting for the next tick or the TTL.
   */
  async #takeOverDeadPeers(): Promise<void> {
    if (this.#checkingOrphans || this.#draining || this.#livenessLost) return;
    this.#checkingOrphans = true;
    try {
      const orphaned = await this.#store.orphanedLeases(this.options.pool);
      if (orphaned === 0) return;
      this.#log.info({ orphaned }, 'a worker of the pool died: taking over its sessions');
      await new Promise((resolve) => setTimeout(resolve, orphanGraceMs));
      await this.tick();
    } catch (error) {
      this.#log.warn({ err: error }, 'looking for a dead worker\'s leases failed');
    } finally {
      this.#checkingOrphans = false;
    }
  }

  /**
   * The liveness connection ended while this process lives (the server closed it, the
   * network failed): peers may now take every lease over after the orphan grace, so stop
   * every session at once, and hand the leases back if the database still answers (else
   * peers take them as orphans). The next round takes a new lock and registers again.
   */
  #lostLiveness(error?: Error): void {
    if (this.#draining) return;
    this.#liveness = undefined;
    this.#livenessLost = true;
    this.#log.error({ err: error, sessions: this.#held.size }, 'liveness connection lost: stopping every session (self-fencing)');
    for (const held of [...this.#held.values()]) void this.#drop(held, 'fenced', true);
    this.#updateGauges();
  }

  /**
   * The safety net under the `botsChanged` signal: a session whose tenant's bots are not
   * the ones it started with (the signal was lost while the bus was down) is restarted;
   * this round's claim takes it again.
   */
  async #reconcileBots(): Promise<void> {
    const current = await this.#store.botFingerprints([...this.#held.keys()]);
    for (const held of [...this.#held.values()]) {
      if (current.get(held.lease.tenantId) === held.bots) continue;
      this.#log.warn({ tenant_id: held.lease.tenantId }, 'session restarting: the database lists other bots than it runs (a lost signal)');
      await this.#drop(held, 'restarted', true);
    }
  }

  async #run(grant: Grant, bots: string): Promise<void> {
    const lease: SessionLease = { tenantId: grant.tenantId, workerId: this.id, epoch: grant.epoch };
    leaseChanges.inc({ reason: 'granted' });
    const session = new TenantSession(this.sessionDeps, lease, (failure) => void this.#sessionFailed(lease, failure), () => this.#leaseValidForMs(),
      () => void this.#restart(lease));
    this.#held.set(grant.tenantId, { lease, weight: grant.weight, session, since: Date.now(), bots });
    try {
      await session.start();
    } catch (error) {
      await this.#sessionFailed(lease, { reason: `session could not start: ${(error as Error).message}`, permanent: false });
    }
  }

  /**
   * Restarts a session in place (its bots changed): stopped and released like a graceful
   * hand-over, then claimed again at once, most likely by this worker.
   */
  async #restart(lease: SessionLease): Promise<void> {
    const held = this.#held.get(lease.tenantId);
    if (!held || held.lease.epoch !== lease.epoch || this.#draining) return;
    this.#log.info({ tenant_id: lease.tenantId }, 'session restarting: its bots changed');
    await this.#drop(held, 'restarted', true);
    await this.tick();
  }

  async #sessionFailed(lease: SessionLease, failure: SessionFailure): Promise<void> {
    const held = this.#held.get(lease.tenantId);
    if (!held || held.lease.epoch !== lease.epoch) return;
    this.#held.delete(lease.tenantId);
    await held.session.stop();
    if (failure.reason === 'lease lost') return void leaseChanges.inc({ reason: 'expired' });
    sessionFailures.inc({ kind: failure.permanent ? 'permanent' : 'transient' });
    const outcome = await this.#store.recordFailure(lease, failure.reason, { park: failure.permanent, maxFailures: this.options.maxFailures ?? 5, backoffMs: sessionBackoff })
      .catch(() => ({ parked: false, failures: 0 }));
    if (outcome.parked) {
      // An operator alert: kovan_session_failures_total and this error line (alerts.yml watches both).
      this.#log.error({ tenant_id: lease.tenantId, reason: failure.reason, failures: outcome.failures }, 'session parked as failed');
    } else {
      this.#log.warn({ tenant_id: lease.tenantId, reason: failure.reason, failures: outcome.failures }, 'session failed; will retry after backoff');
    }
    this.#updateGauges();
  }

  async #drop(held: Held, reason: 'expired' | 'released' | 'shed' | 'fenced' | 'restarted', release: boolean): Promise<void> {
    this.#held.delete(held.lease.tenantId);
    await held.session.stop();
    if (release) await this.#store.release(held.lease).catch(() => {});
    leaseChanges.inc({ reason });
  }

  /** How much longer the last successful renewal lets this worker act (≤ 0: it must fence itself). */
  #leaseValidForMs(): number {
    return this.fenceAfterMs - (Date.now() - this.#lastRenewOk);
  }

  /** Renewal has not succeeded for too long: stop every session before its lease can expire. */
  #fenceIfStale(): void {
    if (this.#held.size === 0 || this.#leaseValidForMs() > 0) return;
    this.#log.error({ sinceRenewMs: Date.now() - this.#lastRenewOk }, 'could not renew leases in time: stopping every session (self-fencing)');
    for (const held of [...this.#held.values()]) void this.#drop(held, 'fenced', false);
    this.#updateGauges();
  }

  #heldWeight(): number {
    return [...this.#held.values()].reduce((sum, h) => sum + h.weight, 0);
  }

  #healthSummary(): Record<string, unknown> {
    const memory = process.memoryUsage();
    return { sessions: this.#held.size, load: this.#heldWeight(), rssBytes: memory.rss, heapUsedBytes: memory.heapUsed, uptimeSeconds: Math.round(process.uptime()) };
  }

  #updateGauges(): void {
    workerSessions.set(this.#held.size);
    workerLoad.set(this.#heldWeight());
    const connected = this.sessions().filter((s) => s.health.connected).length;
    sessionsByState.set({ state: 'running' }, connected);
    sessionsByState.set({ state: 'starting' }, this.#held.size - connected);
  }
}
