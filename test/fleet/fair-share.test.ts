import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { planPlacement, type PoolView, type WorkerShare } from '../../src/fleet/fair-share.js';

/**
 * The placement rules as a whole fleet: workers take turns in random order (as their ticks
 * interleave), each plans with `planPlacement` over the real pool view, sheds, and claims
 * free sessions heaviest first the way `fleet_claim` does. Starting from any placement the
 * history left (light sessions claimed first, heavy ones arriving later, plan changes),
 * every session must run within a bound whenever capacity allows it, no worker may go
 * above its capacity, and a placed fleet must stay put.
 */
const slack = 0.1;
/** Rounds (ticks) a session waits before it is overdue: one lease TTL is three ticks. */
const overdueAfter = 3;

interface Session { id: string; weight: number; holder: string | null; waitingSince: number }
interface SimWorker { id: string; capacity: number }

function heldBy(sessions: Session[], worker: string): Session[] {
  return sessions.filter((s) => s.holder === worker);
}

function poolView(workers: SimWorker[], sessions: Session[], now: number): PoolView {
  const free = sessions.filter((s) => s.holder === null);
  const room = (w: SimWorker) => w.capacity - heldBy(sessions, w.id).reduce((sum, s) => sum + s.weight, 0);
  const roomiest = [...workers].sort((a, b) => room(b) - room(a) || a.id.localeCompare(b.id))[0];
  return {
    sessionWeight: sessions.reduce((sum, s) => sum + s.weight, 0),
    liveCapacity: workers.reduce((sum, w) => sum + w.capacity, 0),
    maxWeight: Math.max(0, ...sessions.map((s) => s.weight)),
    overdueWeight: Math.max(0, ...free.filter((s) => now - s.waitingSince >= overdueAfter).map((s) => s.weight)),
    roomiestWorker: roomiest?.id ?? null,
  };
}

/** One worker's round: plan, shed, claim (what Worker.#rebalance and fleet_claim do). */
function round(worker: SimWorker, workers: SimWorker[], sessions: Session[], now: number): number {
  const share: WorkerShare = { id: worker.id, capacity: worker.capacity, slack };
  const held = heldBy(sessions, worker.id).map((s) => ({ tenantId: s.id, weight: s.weight, since: 0 }));
  const plan = planPlacement(share, poolView(workers, sessions, now), held);
  let changes = 0;
  for (const id of plan.shed) {
    const s = sessions.find((x) => x.id === id)!;
    s.holder = null;
    s.waitingSince = now;
    changes++;
  }
  let used = 0;
  const candidates = sessions.filter((s) => s.holder === null).sort((a, b) => b.weight - a.weight || a.id.localeCompare(b.id));
  for (const s of candidates) {
    const overdue = now - s.waitingSince >= overdueAfter;
    if (used + s.weight <= plan.budget || (overdue && used + s.weight <= plan.overdueBudget)) {
      used += s.weight;
      s.holder = worker.id;
      changes++;
    }
  }
  return changes;
}

const weights = fc.constantFrom(1, 1, 1, 2, 2, 4, 8);
const fleet = fc.record({
  capacities: fc.array(fc.integer({ min: 8, max: 60 }), { minLength: 1, maxLength: 5 }),
  weights: fc.array(weights, { minLength: 1, maxLength: 40 }),
  // The placement history left: each session on one of the workers, or free.
  initial: fc.array(fc.nat(), { minLength: 40, maxLength: 40 }),
  orders: fc.array(fc.nat(), { minLength: 200, maxLength: 200 }),
});

/** Enough room that the greedy claim always finds a place: total weight plus what fragmentation can waste per worker. */
function capacityAllows(capacities: number[], sessionWeights: number[]): boolean {
  const maxWeight = Math.max(...sessionWeights);
  const total = sessionWeights.reduce((a, b) => a + b, 0);
  return capacities.every((c) => c >= maxWeight) && capacities.reduce((a, b) => a + b, 0) >= total + capacities.length * (maxWeight - 1);
}

function simulate(input: { capacities: number[]; weights: number[]; initial: number[]; orders: number[] }) {
  const workers = input.capacities.map((capacity, i) => ({ id: `w${i}`, capacity }));
  const sessions: Session[] = input.weights.map((weight, i) => ({ id: `s${String(i).padStart(2, '0')}`, weight, holder: null, waitingSince: 0 }));
  // Any starting placement within capacity (sessions that would not fit start free).
  for (const [i, s] of sessions.entries()) {
    const pick = input.initial[i]! % (workers.length + 1);
    const w = workers[pick];
    if (w && heldBy(sessions, w.id).reduce((sum, x) => sum + x.weight, 0) + s.weight <= w.capacity) s.holder = w.id;
  }
  return { workers, sessions };
}

test('every session runs within a bound whenever capacity allows it; no worker above capacity; a placed fleet stays put', () => {
  fc.assert(fc.property(fleet, (input) => {
    fc.pre(capacityAllows(input.capacities, input.weights));
    const { workers, sessions } = simulate(input);
    // A round: every worker takes its turn once, in an order that varies.
    const bound = 2 * overdueAfter + 2;
    let placedAt = -1;
    for (let now = 1; now <= bound + 4; now++) {
      const order = [...workers].sort((a, b) => ((input.orders[(now * 7 + Number(a.id.slice(1))) % 200]! - input.orders[(now * 7 + Number(b.id.slice(1))) % 200]!)));
      let changes = 0;
      for (const w of order) changes += round(w, workers, sessions, now);
      for (const w of workers) {
        const load = heldBy(sessions, w.id).reduce((sum, s) => sum + s.weight, 0);
        assert.ok(load <= w.capacity, `${w.id} holds ${load} > capacity ${w.capacity}`);
      }
      const allPlaced = sessions.every((s) => s.holder !== null);
      if (allPlaced && placedAt < 0) placedAt = now;
      if (placedAt > 0 && now > placedAt + 1) assert.equal(changes, 0, `the placed fleet keeps moving in round ${now}`);
    }
    assert.ok(placedAt > 0 && placedAt <= bound, `all sessions placed by round ${bound} (were: ${placedAt}); waiting: ${JSON.stringify(sessions.filter((s) => !s.holder))}`);
  }), { numRuns: 400 });
});

test('the reported case: two workers each holding light sessions still take an Enterprise session at once', () => {
  const workers = [{ id: 'a', capacity: 1000 }, { id: 'b', capacity: 1000 }];
  const sessions: Session[] = [
    { id: 'light-1', weight: 1, holder: 'a', waitingSince: 0 },
    { id: 'light-2', weight: 2, holder: 'b', waitingSince: 0 },
    { id: 'enterprise', weight: 8, holder: null, waitingSince: 0 },
  ];
  round(workers[0]!, workers, sessions, 1);
  round(workers[1]!, workers, sessions, 1);
  assert.notEqual(sessions.find((s) => s.id === 'enterprise')!.holder, null, 'claimed in the first round, not after a wait');
});

test('when capacity blocks an overdue session, the roomiest worker sheds lighter sessions to make room', () => {
  const plan = planPlacement({ id: 'a', capacity: 10, slack }, { sessionWeight: 20, liveCapacity: 20, maxWeight: 8, overdueWeight: 8, roomiestWorker: 'a' },
    [{ tenantId: 'x', weight: 1, since: 1 }, { tenantId: 'y', weight: 1, since: 2 }, { tenantId: 'z', weight: 2, since: 3 }, { tenantId: 'q', weight: 2, since: 4 }]);
  assert.deepEqual(plan.shed, ['y', 'x', 'q'], 'the lightest (of equal weight the newest) until 8 fits');
  assert.equal(plan.overdueBudget, 8);
  const other = planPlacement({ id: 'b', capacity: 10, slack }, { sessionWeight: 20, liveCapacity: 20, maxWeight: 8, overdueWeight: 8, roomiestWorker: 'a' },
    [{ tenantId: 'x', weight: 4, since: 1 }]);
  assert.deepEqual(other.shed, [], 'only the roomiest worker makes room: not every worker at once');
});

test('a full fleet still places every session: overdue sessions get room made for them', () => {
  // Weights that divide every capacity (plans weigh 1, 2, 4, 8; capacities are multiples of 8):
  // then the sessions fit whenever their total weight does, so any session left waiting is
  // the placement's fault, not the fleet's size.
  const tight = fc.record({
    capacities: fc.array(fc.integer({ min: 1, max: 4 }).map((n) => 8 * n), { minLength: 1, maxLength: 4 }),
    weights: fc.array(fc.constantFrom(1, 2, 4, 8), { minLength: 1, maxLength: 40 }),
    initial: fc.array(fc.nat(), { minLength: 40, maxLength: 40 }),
    orders: fc.array(fc.nat(), { minLength: 200, maxLength: 200 }),
  });
  fc.assert(fc.property(tight, (input) => {
    fc.pre(input.weights.reduce((a, b) => a + b, 0) <= input.capacities.reduce((a, b) => a + b, 0));
    const { workers, sessions } = simulate(input);
    const bound = 3 * overdueAfter;
    let placedAt = -1;
    for (let now = 1; now <= bound && placedAt < 0; now++) {
      const order = [...workers].sort((a, b) => ((input.orders[(now * 7 + Number(a.id.slice(1))) % 200]! - input.orders[(now * 7 + Number(b.id.slice(1))) % 200]!)));
      for (const w of order) round(w, workers, sessions, now);
      if (sessions.every((s) => s.holder !== null)) placedAt = now;
    }
    assert.ok(placedAt > 0, `all placed within ${bound} rounds; waiting: ${JSON.stringify(sessions.filter((s) => !s.holder))}, held: ${JSON.stringify(workers.map((w) => heldBy(sessions, w.id).map((s) => s.weight)))}`);
    return true;
  }), { numRuns: 400 });
});
