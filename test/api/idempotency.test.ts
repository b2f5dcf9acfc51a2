import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalJson, claimKey, idempotencyKeyLifetimeMs } from '../../src/idempotency/index.js';
import { startTestApi, registerTenant, type TestApi } from '../helpers/api.js';
import { insertBot, insertGroup } from '../delivery/fixtures.js';

/**
 * `Idempotency-Key` on the POSTs that create work: a retry gets the first answer and does
 * nothing, another request under the same key is refused, concurrent retries do the work
 * once, and keys are per tenant and expire.
 */
let api: TestApi;
let a: Awaited<ReturnType<typeof registerTenant>>;
let b: Awaited<ReturnType<typeof registerTenant>>;
let groupIds: string[];
let otherGroupIds: string[];

before(async () => {
  api = await startTestApi();
  a = await registerTenant(api, 'ika');
  b = await registerTenant(api, 'ikb');
  const botA = await insertBot(api.services.db, a.tenantId, 7_400_000_000 + (process.pid % 1000), `ik${process.pid}_bot`);
  groupIds = [await insertGroup(api.services.db, a.tenantId, botA, -4_200_001, 'One'), await insertGroup(api.services.db, a.tenantId, botA, -4_200_002, 'Two')];
  const botB = await insertBot(api.services.db, b.tenantId, 7_400_100_000 + (process.pid % 1000), `ik${process.pid}_botb`);
  otherGroupIds = [await insertGroup(api.services.db, b.tenantId, botB, -4_200_003, 'Three')];
});
after(async () => { await api.close(); });

const broadcast = (token: string, key: string | undefined, body: unknown) =>
  api.request('POST', '/api/broadcasts', { token, body, headers: key === undefined ? {} : { 'idempotency-key': key } });

async function outboxRows(tenantId: string): Promise<number> {
  return api.services.db.withTenant(tenantId, async (tx) => (await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox')).rows[0]!.n);
}

test('a retried broadcast with the same key gets the same answer, marked replayed, and sends nothing more', async () => {
  const key = crypto.randomUUID();
  const before = await outboxRows(a.tenantId);
  const body = { text: 'Retry me', group_ids: groupIds };
  const first = await broadcast(a.token, key, body);
  assert.equal(first.status, 201, first.text);
  assert.equal(first.headers.get('idempotent-replayed'), null);
  const second = await broadcast(a.token, key, { group_ids: groupIds, text: 'Retry me' }); // same body, keys in another order
  assert.equal(second.status, 201, second.text);
  assert.equal(second.headers.get('idempotent-replayed'), 'true');
  assert.equal(second.text, first.text);
  assert.equal(await outboxRows(a.tenantId), before + groupIds.length);
});

test('the same key with another body is a 422 naming the header, and does nothing', async () => {
  const key = crypto.randomUUID();
  assert.equal((await broadcast(a.token, key, { text: 'First', group_ids: groupIds })).status, 201);
  const rows = await outboxRows(a.tenantId);
  const other = await broadcast(a.token, key, { text: 'Second', group_ids: groupIds });
  assert.equal(other.status, 422, other.text);
  assert.equal(other.headers.get('content-type'), 'application/problem+json; charset=utf-8');
  assert.equal(other.body.code, 'idempotency_key_mismatch');
  assert.deepEqual(other.body.fields.map((f: { field: string }) => f.field), ['idempotency-key']);
  // …and on another route the key is another request too.
  const schedule = await api.request('POST', '/api/schedules', { token: a.token, headers: { 'idempotency-key': key }, body: { name: 'x', text: 'x', run_at: new Date(Date.now() + 3_600_000).toISOString() } });
  assert.equal(schedule.status, 422, schedule.text);
  assert.equal(await outboxRows(a.tenantId), rows);
});

test('concurrent requests with one key do the work once and all get its answer', async () => {
  const key = crypto.randomUUID();
  const before = await outboxRows(a.tenantId);
  const answers = await Promise.all(Array.from({ length: 6 }, () => broadcast(a.token, key, { text: 'Together', group_ids: groupIds })));
  for (const r of answers) assert.equal(r.status, 201, r.text);
  assert.equal(new Set(answers.map((r) => r.body.schedule.id)).size, 1);
  assert.equal(answers.filter((r) => r.headers.get('idempotent-replayed') === null).length, 1);
  assert.equal(await outboxRows(a.tenantId), before + groupIds.length);
});

test('keys are per tenant: another tenant’s same key is its own request', async () => {
  const key = crypto.randomUUID();
  const mine = await broadcast(a.token, key, { text: 'Mine', group_ids: groupIds });
  const theirs = await broadcast(b.token, key, { text: 'Theirs', group_ids: otherGroupIds });
  assert.deepEqual([mine.status, theirs.status], [201, 201], theirs.text);
  assert.equal(theirs.headers.get('idempotent-replayed'), null);
  assert.notEqual(theirs.body.schedule.id, mine.body.schedule.id);
});

test('a malformed key is a 400 naming the header', async () => {
  for (const key of ['x'.repeat(201), 'with space']) {
    const r = await broadcast(a.token, key, { text: 'Bad key', group_ids: groupIds });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.body.code, 'validation_failed');
    assert.deepEqual(r.body.fields.map((f: { field: string }) => f.field), ['idempotency-key']);
  }
});

test('a request that failed stores nothing: the retry runs it', async () => {
  const key = crypto.randomUUID();
  const body = { text: 'Not yet', group_ids: otherGroupIds }; // tenant B's group: refused for A
  const first = await broadcast(a.token, key, body);
  assert.equal(first.status, 400, first.text);
  const retry = await broadcast(a.token, key, body);
  assert.equal(retry.status, 400);
  assert.equal(retry.headers.get('idempotent-replayed'), null);
});

test('schedules and plan requests take the key too', async () => {
  const key = crypto.randomUUID();
  const body = { name: 'Once', text: 'Later', run_at: new Date(Date.now() + 3_600_000).toISOString() };
  const first = await api.request('POST', '/api/schedules', { token: a.token, headers: { 'idempotency-key': key }, body });
  const again = await api.request('POST', '/api/schedules', { token: a.token, headers: { 'idempotency-key': key }, body });
  assert.deepEqual([first.status, again.status, again.body.schedule.id], [201, 201, first.body.schedule.id]);

  const planKey = crypto.randomUUID();
  const upgrade = await api.request('POST', '/api/subscription/change', { token: b.token, headers: { 'idempotency-key': planKey }, body: { plan: 'premium' } });
  const retried = await api.request('POST', '/api/subscription/change', { token: b.token, headers: { 'idempotency-key': planKey }, body: { plan: 'premium' } });
  assert.equal(upgrade.status, 202, upgrade.text);
  assert.deepEqual([retried.status, retried.text, retried.headers.get('idempotent-replayed')], [202, upgrade.text, 'true']);
});

test('a key expires after a day: then it is free again, and expired keys are cleaned', async () => {
  const key = crypto.randomUUID();
  const stale = crypto.randomUUID();
  const fingerprint = Buffer.from('test');
  const later = new Date(Date.now() + idempotencyKeyLifetimeMs + 60_000);
  const count = (tx: Parameters<Parameters<typeof api.services.db.withTenant>[1]>[0], k: string) =>
    tx.query('SELECT 1 FROM idempotency_keys WHERE key = $1', [k]).then((r) => r.rowCount);
  await api.services.db.withTenant(a.tenantId, async (tx) => {
    assert.equal(await claimKey(tx, key, fingerprint), undefined);
    assert.equal(await claimKey(tx, stale, fingerprint), undefined);
  });
  await api.services.db.withTenant(a.tenantId, async (tx) => {
    assert.ok(await claimKey(tx, key, fingerprint), 'within a day the key is taken');
    assert.equal(await claimKey(tx, key, Buffer.from('other'), later), undefined, 'a day later it is free');
    assert.equal(await count(tx, stale), 0, 'the other expired key was deleted');
  });
});

test('canonicalJson: key order does not matter, and it is JSON of the same value', () => {
  const json = fc.jsonValue();
  fc.assert(fc.property(json, (value) => {
    const text = canonicalJson(value);
    assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(value)));
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const reversed = Object.fromEntries(Object.entries(value).reverse());
      assert.equal(canonicalJson(reversed), text);
    }
  }));
});

test('the header is in the OpenAPI document of the routes that honour it', async () => {
  const doc = (await api.request('GET', '/api/openapi.json')).body;
  for (const path of ['/api/broadcasts', '/api/schedules', '/api/subscription/change']) {
    const names = (doc.paths[path].post.parameters ?? []).filter((p: { in: string }) => p.in === 'header').map((p: { name: string }) => p.name);
    assert.deepEqual(names, ['idempotency-key'], path);
  }
});
