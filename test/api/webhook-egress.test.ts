import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetch } from 'undici';
import { checkWebhookUrl } from '../../src/webhooks/index.js';
import { publicOnlyAgent, publicOnlyLookup } from '../../src/webhooks/public-egress.js';

/**
 * Webhooks must not reach the operator's own network: addresses and well-known names are
 * refused when a URL is saved, and names that resolve to a private address (now, or later:
 * DNS rebinding) are refused when the dispatcher connects.
 */
let receiver: Server;
let port: number;
let hits = 0;
before(async () => {
  receiver = createServer((_request, response) => { hits += 1; response.end('ok'); });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  port = (receiver.address() as AddressInfo).port;
});
after(() => new Promise((resolve) => receiver.close(resolve)));

test('in production, private addresses and local names are refused when the URL is saved', () => {
  for (const url of ['https://localhost./hook', 'https://LOCALHOST/hook', 'https://10.1.2.3/hook', 'https://[::1]/hook', 'https://[::ffff:127.0.0.1]/hook', 'https://db.internal/hook', 'http://hooks.example.com/x']) {
    assert.throws(() => checkWebhookUrl(url, true), /url:/, url);
  }
  assert.equal(checkWebhookUrl('https://hooks.example.com/kovan', true), 'https://hooks.example.com/kovan');
});

test('at connect time, a name with any private address is refused; public ones resolve as asked', async () => {
  const lookupWith = (addresses: Array<{ address: string; family: number }>) => (options: { all?: boolean }) => new Promise<unknown>((resolve, reject) => {
    publicOnlyLookup((_host, _opts, callback) => callback(null, addresses))('hooks.example.com', options, (error, address, family) => (error ? reject(error) : resolve({ address, family })));
  });
  await assert.rejects(lookupWith([{ address: '93.184.216.34', family: 4 }, { address: '10.0.0.7', family: 4 }])({}), /resolves to 10\.0\.0\.7, which webhooks may not reach/);
  await assert.rejects(lookupWith([{ address: 'fd00::1', family: 6 }])({ all: true }), /fd00::1/);
  assert.deepEqual(await lookupWith([{ address: '93.184.216.34', family: 4 }])({}), { address: '93.184.216.34', family: 4 });
  assert.deepEqual(await lookupWith([{ address: '93.184.216.34', family: 4 }])({ all: true }), { address: [{ address: '93.184.216.34', family: 4 }], family: undefined });
});

test('the production connection pool does not connect to a name that resolves to this machine', async () => {
  const before = hits;
  await assert.rejects(fetch(`http://localhost:${port}/hook`, { method: 'POST', body: '{}', dispatcher: publicOnlyAgent() }),
    (error: Error & { cause?: Error }) => /may not reach/.test(String(error.cause?.message)));
  assert.equal(hits, before, 'the receiver got nothing');
  const control = await fetch(`http://localhost:${port}/hook`, { method: 'POST', body: '{}' });
  assert.equal(control.status, 200, 'the same request without the guard arrives (the test would notice a broken receiver)');
});
