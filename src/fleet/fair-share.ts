/**
 * Where sessions run: one worker's decision each round, as a pure function of what it holds
 * and what the pool looks like (test/fleet/fair-share.test.ts simulates whole fleets with it).
 *
 * Every worker aims at its fair share of the pool's session weight (in proportion to its
 * capacity). Two rules make sure no session waits for ever:
 * - The ceiling above the fair share is at least the heaviest session's weight: otherwise an
 *   Enterprise session (weight 8) fits under no worker's ceiling once each holds a little,
 *   and it waits while lighter sessions are claimed at once.
 * - A session waiting longer than the overdue bound (a lease TTL) may be claimed beyond the
 *   ceiling, up to the worker's capacity; and when capacity is what blocks it, the worker with
 *   the most room sheds lighter sessions to make room for it (they fit elsewhere more easily).
 */
export interface PoolView {
  /** Weight of every session of the pool that should run. */
  sessionWeight: number;
  /** Capacity of the pool's live workers. */
  liveCapacity: number;
  /** Weight of the pool's heaviest session that should run. */
  maxWeight: number;
  /** Weight of the heaviest session waiting longer than the overdue bound; 0 when none. */
  overdueWeight: number;
  /** The live worker with the most free capacity (ties: lowest id), who makes room for an overdue session. */
  roomiestWorker: string | null;
}

export interface HeldWeight {
  tenantId: string;
  weight: number;
  /** When this worker started it (ms): of equal weights, the newest is shed first. */
  since: number;
}

export interface WorkerShare {
  id: string;
  capacity: number;
  /** Share of the fair share a worker may hold above it before it sheds sessions. */
  slack: number;
}

export interface PlacementPlan {
  /** Sessions to give back now. */
  shed: string[];
  /** Weight this worker may claim among all free sessions. */
  budget: number;
  /** Weight it may claim among overdue sessions (beyond the fair-share ceiling, within its capacity). */
  overdueBudget: number;
}

/** The most weight a worker holds before it sheds: its fair share plus slack, at least room for the heaviest session. */
export function shareCeiling(worker: WorkerShare, pool: PoolView): number {
  const capacity = Math.max(pool.liveCapacity, worker.capacity);
  const fairShare = (pool.sessionWeight * worker.capacity) / capacity;
  return Math.ceil(fairShare * (1 + worker.slack)) + Math.max(1, pool.maxWeight);
}

export function planPlacement(worker: WorkerShare, pool: PoolView, held: readonly HeldWeight[]): PlacementPlan {
  const ceiling = shareCeiling(worker, pool);
  // Lightest first; of equal weight the newest: the cheapest to move.
  const lightestFirst = [...held].sort((a, b) => a.weight - b.weight || b.since - a.since);
  const shed: string[] = [];
  let load = held.reduce((sum, h) => sum + h.weight, 0);
  for (const session of lightestFirst) {
    if (load <= ceiling) break;
    shed.push(session.tenantId);
    load -= session.weight;
  }
  const needed = pool.overdueWeight;
  if (needed > 0 && pool.roomiestWorker === worker.id && needed <= worker.capacity && worker.capacity - load < needed) {
    // Capacity blocks an overdue session everywhere (this worker has the most room): make
    // room with lighter sessions, if that is enough.
    const lighter = lightestFirst.filter((s) => s.weight < needed && !shed.includes(s.tenantId));
    if (worker.capacity - load + lighter.reduce((sum, s) => sum + s.weight, 0) >= needed) {
      for (const session of lighter) {
        if (worker.capacity - load >= needed) break;
        shed.push(session.tenantId);
        load -= session.weight;
      }
    }
  }
  return { shed, budget: Math.max(0, Math.min(worker.capacity, ceiling) - load), overdueBudget: Math.max(0, worker.capacity - load) };
}
