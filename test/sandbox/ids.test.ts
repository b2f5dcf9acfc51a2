import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { IdAllocator } from '../../src/sandbox/ids.js';

test('two sandboxes do not hand out the same bot id (test files side by side share one database)', () => {
  const first = new Set(Array.from({ length: 20 }, () => new IdAllocator().nextBotId()));
  assert.ok(first.size >= 19, `20 sandboxes' first bots share ids: ${[...first].join(', ')}`);
});

test('a restored allocator goes on from its counters and never repeats an id', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 50 }), (n) => {
    const before = new IdAllocator();
    const seen = new Set(Array.from({ length: n }, () => before.nextBotId()));
    const after = new IdAllocator();
    after.restore(before.counters());
    for (let i = 0; i < n; i++) assert.ok(!seen.has(after.nextBotId()));
  }));
});

test('ids keep Telegram’s shapes wherever a sandbox starts', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 5 }), (draws) => {
    const ids = new IdAllocator();
    for (let i = 0; i < draws; i++) {
      const user = ids.nextUserId();
      assert.ok(user > 0 && Number.isSafeInteger(user));
      const bot = ids.nextBotId();
      assert.ok(bot > 2 ** 32 && bot < 10_000_000_000, `bot id ${bot} has 10 digits, above 2^32`);
      assert.match(String(ids.nextSupergroupId()), /^-100\d{10}$/);
      assert.ok(ids.nextBasicGroupId() < -(2 ** 31));
    }
    const odd = new IdAllocator();
    assert.ok(odd.nextUserId() < 2 ** 31, 'the first user of a sandbox has an old-style id below 2^31');
  }));
});
