import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { outcomeState } from '../../src/delivery/index.js';

/** The one word a run's outcome shows, over every combination of counts. */
const counts = fc.record({
  runStatus: fc.constantFrom('enqueued' as const, 'skipped' as const, 'failed' as const),
  sent: fc.nat(5), failed: fc.nat(5), refused: fc.nat(5), pending: fc.nat(5), cancelled: fc.nat(5), expired: fc.nat(5),
});

test('a run is never "sent" while a message failed or was refused, never "failed" once one went out', () => {
  fc.assert(fc.property(counts, (c) => {
    const state = outcomeState(c);
    const bad = c.failed + c.refused;
    if (state === 'sent') assert.ok(bad === 0 && c.pending === 0 && c.runStatus === 'enqueued');
    if (state === 'partly_failed') assert.ok(c.sent > 0 && bad > 0 && c.pending === 0);
    if (c.runStatus === 'enqueued' && c.pending === 0 && bad > 0) assert.equal(state, c.sent > 0 ? 'partly_failed' : 'failed');
    if (c.runStatus === 'enqueued' && c.pending > 0) assert.equal(state, 'sending');
    if (c.runStatus === 'failed') assert.equal(state, 'failed');
  }));
});
