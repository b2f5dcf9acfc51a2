import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebhookRouteCache } from '../../src/bots/route-cache.js';

const route = (n: number) => ({ tenantId: `t${n}`, botId: `b${n}`, username: `bot${n}`, telegramBotId: n, webhookSecret: `s${n}` });

test('a cached webhook route expires after its TTL, and the oldest entries go first past the size limit', () => {
  const cache = new WebhookRouteCache(1000, 2);
  cache.set('a', route(1), 0);
  assert.equal(cache.get('a', 999)?.botId, 'b1');
  assert.equal(cache.get('a', 1000), undefined, 'expired at the TTL');
  cache.set('a', route(1), 2000);
  cache.set('b', route(2), 2001);
  cache.set('a', route(1), 2002); // refreshed: now the newest
  cache.set('c', route(3), 2003);
  assert.equal(cache.get('b', 2004), undefined, 'the oldest entry was evicted');
  assert.deepEqual([cache.get('a', 2004)?.botId, cache.get('c', 2004)?.botId], ['b1', 'b3']);
});
