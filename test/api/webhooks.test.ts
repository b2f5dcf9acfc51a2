import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { publishEvents } from '../../src/events/index.js';
import { retryDelay, signPayload, verifySignature } from '../../src/webhooks/index.js';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { setPlan, newTenant, type Session } from '../helpers/rest-api.js';

/** Outgoing webhooks against a local receiver: signed POSTs, event filters, retries, the log. */
interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

let api: TestApi;
let owner: Session;
let receiver: Server;
let receiverUrl: string;
const received: Received[] = [];
/** Status codes to answer, in order; 200 once they run out. */
const answers: number[] = [];

before(async () => {
  api = await startTestApi();
  owner = await newTenant(api, 'hooks');
  await setPlan(api, owner.tenantId, 'premium');
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => { body += chunk; });
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      response.writeHead(answers.shift() ?? 200).end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
after(async () => {
  await api.close();
  await new Promise((resolve) => receiver.close(resolve));
});

async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, ms = 8000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function register(path: string, body: Record<string, unknown> = {}) {
  const r = await api.request('POST', '/api/webhooks', { token: owner.token, body: { url: receiverUrl + path, ...body } });
  assert.equal(r.status, 201, r.text);
  return r.body as { webhook: { id: string; secretLast4: string }; secret: string };
}

test('register: the secret is shown once; a ping arrives signed and verifiable', async () => {
  const { webhook, secret } = await register('/ping');
  assert.match(secret, /^whsec_/);
  assert.equal(secret.slice(-4), webhook.secretLast4);
  const shown = await api.request('GET', `/api/webhooks/${webhook.id}`, { token: owner.token });
  assert.ok(!shown.text.includes(secret));

  const before = received.length;
  const ping = await api.request('POST', `/api/webhooks/${webhook.id}/ping`, { token: owner.token });
  assert.equal(ping.status, 202);
  assert.equal(ping.body.queued, 1);
  const got = await eventually(() => received.slice(before).find((r) => r.headers['kovan-event'] === 'ping'));
  const header = String(got.headers['kovan-signature']);
  assert.match(header, /^t=\d+,v1=[0-9a-f]{64}$/);
  assert.ok(verifySignature(secret, got.body, header), 'the receiver can verify the signature');
  assert.ok(!verifySignature('whsec_wrong', got.body, header));
  assert.ok(!verifySignature(secret, got.body + ' ', header), 'a changed body fails');
  const payload = JSON.parse(got.body);
  assert.equal(payload.type, 'ping');
  assert.match(payload.id, /^evt_[0-9a-f]{32}$/);
  assert.equal(got.headers['kovan-event-id'], payload.id);
  await api.request('DELETE', `/api/webhooks/${webhook.id}`, { token: owner.token });
});

test('live events reach the webhooks that subscribe to their type, once each', async () => {
  const all = await register('/all');
  const joinsOnly = await register('/joins', { events: ['join'] });
  const before = received.length;
  const at = new Date().toISOString();
  await publishEvents(api.services.cache, owner.tenantId, [
    { type: 'message_in', at, data: { text: 'hello' } },
    { type: 'join', at, data: { userId: 7 } },
  ]);
  await publishEvents(api.services.cache, owner.tenantId, [{ type: 'join', at, data: { userId: 7 } }]); // the same event again: deduplicated
  const log = async (id: string) => (await api.request('GET', `/api/webhooks/${id}/deliveries`, { token: owner.token })).body.items as Array<{ eventType: string; status: string; attempts: number }>;
  await eventually(async () => (await log(all.webhook.id)).filter((d) => d.status === 'succeeded').length === 2);
  await eventually(async () => (await log(joinsOnly.webhook.id)).filter((d) => d.status === 'succeeded').length === 1);
  assert.deepEqual((await log(joinsOnly.webhook.id)).map((d) => d.eventType), ['join']);
  assert.equal(received.length - before, 3);
  for (const w of [all, joinsOnly]) await api.request('DELETE', `/api/webhooks/${w.webhook.id}`, { token: owner.token });
});

test('a failing receiver is retried with backoff, then given up after the last attempt', async () => {
  const { webhook } = await register('/flaky');
  answers.push(500);
  await api.request('POST', `/api/webhooks/${webhook.id}/ping`, { token: owner.token });
  const log = async () => (await api.request('GET', `/api/webhooks/${webhook.id}/deliveries`, { token: owner.token })).body.items[0] as
    { id: string; status: string; attempts: number; lastStatusCode: number; nextAttemptAt: string | null; lastError: string | null };
  const first = await eventually(async () => { const d = await log(); return d?.attempts === 1 && d.status === 'pending' ? d : undefined; });
  assert.equal(first.lastStatusCode, 500);
  const wait = Date.parse(first.nextAttemptAt!) - Date.now();
  assert.ok(wait > 15_000 && wait < 40_000, `first retry after ~30 s, got ${wait} ms`);

  // Make it due now: the next attempt succeeds.
  await api.services.db.withOwner((tx) => tx.query(`UPDATE webhook_deliveries SET next_attempt_at = now() WHERE id = $1`, [first.id]));
  const done = await eventually(async () => { const d = await log(); return d?.status === 'succeeded' ? d : undefined; });
  assert.equal(done.attempts, 2);
  assert.equal(done.lastStatusCode, 200);

  // The last allowed attempt fails: the delivery is failed for good.
  answers.push(503);
  await api.request('POST', `/api/webhooks/${webhook.id}/ping`, { token: owner.token });
  const retrying = await eventually(async () => { const d = await log(); return d?.status === 'pending' && d.attempts === 1 ? d : undefined; });
  await api.services.db.withOwner((tx) => tx.query(`UPDATE webhook_deliveries SET attempts = 7, next_attempt_at = now() WHERE id = $1`, [retrying.id]));
  answers.push(503);
  const failed = await eventually(async () => { const d = await log(); return d?.status === 'failed' ? d : undefined; });
  assert.equal(failed.attempts, 8);
  assert.equal(failed.nextAttemptAt, null);
  assert.match(failed.lastError ?? '', /503/);
  const onlyFailed = await api.request('GET', `/api/webhooks/${webhook.id}/deliveries?status=failed`, { token: owner.token });
  assert.equal(onlyFailed.body.items.length, 1);
});

test('backoff doubles per attempt up to the ceiling, with jitter', () => {
  const options = { baseDelayMs: 1000, maxDelayMs: 60_000 };
  for (const [attempt, base] of [[1, 1000], [2, 2000], [5, 16_000], [10, 60_000]] as const) {
    const delay = retryDelay(attempt, options);
    assert.ok(delay >= base * 0.8 && delay <= base * 1.2, `attempt ${attempt}: ${delay}`);
  }
  const header = signPayload('s', '{}', 1_700_000_000);
  assert.ok(verifySignature('s', '{}', header, 300, 1_700_000_100));
  assert.ok(!verifySignature('s', '{}', header, 300, 1_700_001_000), 'old timestamps are refused (replay)');
});

test('disabled webhooks get nothing; URLs and event names are validated', async () => {
  const { webhook } = await register('/disabled');
  const disabled = await api.request('PATCH', `/api/webhooks/${webhook.id}`, { token: owner.token, body: { enabled: false } });
  assert.equal(disabled.body.webhook.enabled, false);
  const ping = await api.request('POST', `/api/webhooks/${webhook.id}/ping`, { token: owner.token });
  assert.equal(ping.body.queued, 0);
  for (const [body, field] of [
    [{ url: 'ftp://example.com/x' }, 'url'],
    [{ url: 'not a url at all' }, 'url'],
    [{ url: 'https://user:pw@example.com/x' }, 'url'],
    [{ url: 'https://example.com/x', events: ['nope'] }, 'events.0'],
  ] as const) {
    const r = await api.request('POST', '/api/webhooks', { token: owner.token, body });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.body.fields[0].field, field);
  }
});
