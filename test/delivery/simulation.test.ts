import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { defaultDeliveryLimits, type DeliveryLimits } from '../../src/delivery/index.js';
import { chatKeyOf, Pacer } from '../../src/delivery/pacer.js';
import { planHorizonMs, simulate, stepBudget, type SimRow } from '../../src/delivery/simulation.js';
import { AppError } from '../../src/platform/errors.js';
import { Day, Minute } from '../../src/platform/time.js';

/**
 * The planner's replay of the sender (no database): it must end for every input, within its
 * step budget, give every row an ETA or a reason, and its ETAs must be ones the real pacer
 * accepts when the same sends are played through it.
 */

/** A count of messages per window or burst: none, a fraction, ordinary (mostly, so that most rows do go), enormous. */
const count = fc.oneof(
  { arbitrary: fc.constant(0), weight: 1 }, { arbitrary: fc.double({ min: 0, max: 4, noNaN: true }), weight: 2 },
  { arbitrary: fc.integer({ min: 1, max: 40 }), weight: 6 }, { arbitrary: fc.constant(1e9), weight: 1 },
);
/** A duration: none, fractional (a sped-up sandbox), ordinary, longer than the horizon, absurd. */
const duration = fc.oneof(
  fc.constant(0), fc.double({ min: 0, max: 50, noNaN: true }), fc.integer({ min: 1, max: 2 * Minute }),
  fc.constantFrom(40 * Day, 1e15, 1e300),
);
const limitsArb: fc.Arbitrary<DeliveryLimits> = fc.record({
  botMessagesPerWindow: count, paidBroadcastMessagesPerWindow: count, chatBurst: count, groupMessagesPerWindow: count,
  botWindowMs: duration, chatIntervalMs: duration, groupWindowMs: duration,
  safetyMarginMs: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 10, noNaN: true })),
}).map((paced) => ({ ...defaultDeliveryLimits, ...paced }));
/** Any instant from 1970 to the last a Date can hold, whole or not. */
const clock = fc.oneof(fc.integer({ min: 0, max: 4e12 }), fc.double({ min: 0, max: 4e12, noNaN: true }), fc.constant(8.64e15));

const rowsAt = (start: number) => fc.array(fc.record({
  botId: fc.constantFrom('a', 'b'),
  // Negative ids are groups (their own window), positive ones private chats.
  chatId: fc.constantFrom(-1, -2, -3, 1, 2),
  priority: fc.integer({ min: 0, max: 3 }),
  seq: fc.integer({ min: 0, max: 1000 }),
  notBefore: fc.oneof(fc.double({ min: -5000, max: 100_000, noNaN: true }), fc.constant(planHorizonMs + Day)).map((offset) => start + offset),
  paid: fc.boolean(),
}), { maxLength: 60 }).map((rows): SimRow[] => rows.map((row, ref) => ({ ...row, ref })));

const scenario = clock.chain((start) => fc.record({ start: fc.constant(start), rows: rowsAt(start), limits: limitsArb, callMs: fc.double({ min: 0, max: 200, noNaN: true }) }));

test('the replay ends within its step budget for any rows, limits and clock; every row gets an ETA or a reason; the real pacer accepts every ETA', () => {
  fc.assert(fc.property(scenario, ({ start, rows, limits, callMs }) => {
    const { outcomes, steps } = simulate(rows, limits, callMs, start);
    assert.ok(steps <= stepBudget(rows.length), `${steps} steps for ${rows.length} rows`);
    assert.equal(outcomes.size, rows.length);
    const byRef = new Map(rows.map((r) => [r.ref, r]));
    for (const [ref, outcome] of outcomes) {
      if (outcome.eta === null) assert.ok(outcome.reason === 'never' || outcome.reason === 'beyond_horizon', `row ${ref}: ${JSON.stringify(outcome)}`);
      else assert.ok(Number.isInteger(outcome.eta) && outcome.eta >= start && outcome.eta <= Math.ceil(start) + planHorizonMs && outcome.eta >= byRef.get(ref)!.notBefore);
    }

    // Replayed in start order through the pacer the sender uses, each send is allowed when it starts.
    const call = Math.max(1, Math.ceil(callMs));
    const pacer = new Pacer(limits);
    const started = [...outcomes].flatMap(([ref, o]) => (o.eta === null ? [] : [{ row: byRef.get(ref)!, eta: o.eta }])).sort((a, b) => a.eta - b.eta);
    for (const { row, eta } of started) {
      const send = { botId: row.botId, chatId: row.chatId, paid: row.paid };
      assert.ok(pacer.waitMs(send, eta) <= 0, `row ${row.ref} at +${eta - start} ms: the pacer says wait ${pacer.waitMs(send, eta)} ms`);
      pacer.end(pacer.begin(send, eta), eta + call);
    }

    // Each chat's rows go in queue order, one call at a time; one without an ETA holds back the rest.
    const inOrder = [...rows].sort((a, b) => a.priority - b.priority || a.seq - b.seq);
    const lastOfChat = new Map<string, number | null>();
    for (const row of inOrder) {
      const key = chatKeyOf(row);
      const eta = outcomes.get(row.ref)!.eta;
      const previous = lastOfChat.get(key);
      if (previous === null) assert.equal(eta, null, `row ${row.ref} overtook a row of its chat that will not go`);
      else if (previous !== undefined && eta !== null) assert.ok(eta >= previous + call, `row ${row.ref} starts before its chat's previous call ends`);
      lastOfChat.set(key, eta);
    }

    // A limit under one message lets nothing through.
    if (limits.chatBurst < 1) assert.ok(started.length === 0);
    if (limits.botMessagesPerWindow < 1) assert.ok(started.every((s) => s.row.paid));
  }), { numRuns: 300 });
});

test('the queue that hung the API (issue 11) is planned: a 2e-13 ms wait moves the clock', () => {
  // The demo's queue when the 15th broadcast came: the sender had put rows back with its forecasts.
  const start = 1_796_122_796_017;
  const notBefore = [-862, -2236, 180, 1399, 2404, -306, -306, 0];
  const rows = notBefore.map((offset, i): SimRow => ({ ref: i, botId: 'bot', chatId: -1_002_000_002_038, priority: 3, seq: 10 + i, notBefore: start + offset, paid: false }));
  const { outcomes } = simulate(rows, defaultDeliveryLimits, 60, start);
  assert.deepEqual([...outcomes.values()].map((o) => (o.eta === null ? o.reason : o.eta - start)), [0, 60, 180, 1399, 2404, 3321, 4386, 5451]);
});

test('past its step budget the replay fails with plan_unavailable (503) instead of running on', () => {
  const rows = Array.from({ length: 10 }, (_, i): SimRow => ({ ref: i, botId: 'bot', chatId: -1, priority: 3, seq: i, notBefore: 0, paid: false }));
  assert.throws(() => simulate(rows, defaultDeliveryLimits, 60, 0, { budget: 5 }), (error: unknown) => error instanceof AppError && error.code === 'plan_unavailable' && error.status === 503);
});

test('rows beyond the horizon, and rows no limit lets through, say so', () => {
  const row = (ref: number, chatId: number, notBefore: number): SimRow => ({ ref, botId: 'bot', chatId, priority: 3, seq: ref, notBefore, paid: false });
  const later = simulate([row(0, -1, 0), row(1, -1, planHorizonMs + Day), row(2, -1, 0)], defaultDeliveryLimits, 60, 0).outcomes;
  assert.deepEqual([...later.entries()].sort(([a], [b]) => a - b).map(([, o]) => o.eta ?? o.reason), [0, 'beyond_horizon', 'beyond_horizon']);
  const closed = simulate([row(0, -1, 0), row(1, 5, 0)], { ...defaultDeliveryLimits, groupMessagesPerWindow: 0 }, 60, 0).outcomes;
  assert.deepEqual([closed.get(0), closed.get(1)], [{ eta: null, reason: 'never' }, { eta: 0 }]);
});
