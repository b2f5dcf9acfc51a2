import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { PostgresDatabase } from '../../src/platform/db/index.js';
import { RedisCache } from '../../src/platform/cache/index.js';
import { startTestApi, registerTenant, type TestApi, type TestResponse } from '../helpers/api.js';
import { startPrivatePostgres, startPrivateRedis, type PrivateServer } from '../helpers/private-servers.js';
import { eventually } from '../helpers/processes.js';
import { insertBot, insertGroup } from '../delivery/fixtures.js';

/**
 * The API over its own PostgreSQL and Redis, which the tests stop and start: with the
 * database down every route answers 503 `dependency_unavailable` with `Retry-After` within
 * a bound; with Redis down (or frozen) requests go on, rate limits count per process, and
 * no committed work is reported as an error; both recover by themselves.
 */
let postgres: PrivateServer;
let redis: PrivateServer;
let api: TestApi;
let owner: Awaited<ReturnType<typeof registerTenant>>;
let groupIds: string[];

/** Generous for a busy machine; what it guards against is a 30 s hang or a retry loop. */
const answerBoundMs = 10_000;

before(async () => {
  [postgres, redis] = await Promise.all([startPrivatePostgres(), startPrivateRedis()]);
  api = await startTestApi({
    config: { DATABASE_URL: postgres.url, REDIS_URL: redis.url },
    backends: { db: new PostgresDatabase({ ownerUrl: postgres.url, poolSize: 4 }), cache: new RedisCache(redis.url, 'kovan-outage:') },
  });
  owner = await registerTenant(api, 'out');
  const botId = await insertBot(api.services.db, owner.tenantId, 7_500_000_000 + (process.pid % 1000), `out${process.pid}_bot`);
  groupIds = [await insertGroup(api.services.db, owner.tenantId, botId, -4_300_001, 'One'), await insertGroup(api.services.db, owner.tenantId, botId, -4_300_002, 'Two')];
});
after(async () => {
  await api?.close();
  await Promise.all([postgres?.destroy(), redis?.destroy()]);
});

let clients = 0;
/** Each call from its own address, so the login limit (20 a minute per address) stays out of the way. */
const login = (from = `10.77.${++clients % 250}.1`) =>
  api.request('POST', '/api/auth/login', { body: { username: owner.username, password: owner.password }, headers: { 'x-forwarded-for': from } });
const broadcast = (key: string, text: string) =>
  api.request('POST', '/api/broadcasts', { token: owner.token, body: { text, group_ids: groupIds }, headers: { 'idempotency-key': key } });

async function timed(call: () => Promise<TestResponse>): Promise<TestResponse & { ms: number }> {
  const started = Date.now();
  const response = await call();
  return { ...response, ms: Date.now() - started };
}

async function outboxRows(): Promise<number> {
  return api.services.db.withTenant(owner.tenantId, async (tx) => (await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox')).rows[0]!.n);
}

test('with the database down every route answers 503 with Retry-After within a bound, and recovers by itself', async (t) => {
  await postgres.stop();
  try {
    const calls: Array<[string, () => Promise<TestResponse>]> = [
      ['login', () => login()],
      ['an authenticated read', () => api.request('GET', '/api/groups', { token: owner.token })],
      ['a customer endpoint', () => api.request('GET', '/api/dashboard/stats', { token: owner.token })],
      ['a broadcast', () => broadcast('outage-db', 'While the database is down')],
      ['registration', () => api.request('POST', '/api/auth/register', { body: { username: `down${process.pid}`, email: `down${process.pid}@example.test`, password: 'correct horse battery staple' } })],
    ];
    for (const [what, call] of calls) {
      const r = await timed(call);
      assert.equal(r.status, 503, `${what}: ${r.text}`);
      assert.equal(r.body.code, 'dependency_unavailable', what);
      assert.equal(r.headers.get('content-type'), 'application/problem+json; charset=utf-8', what);
      assert.ok(Number(r.headers.get('retry-after')) > 0, `${what}: Retry-After`);
      assert.ok(r.ms < answerBoundMs, `${what} answered in ${r.ms} ms`);
      t.diagnostic(`database down, ${what}: ${r.status} in ${r.ms} ms`);
    }
    assert.equal((await api.request('GET', '/readyz')).status, 503);
  } finally {
    await postgres.start();
  }
  await eventually(async () => (await api.request('GET', '/api/groups', { token: owner.token })).status === 200, 30_000, 'reads to work again');
  assert.equal((await login()).status, 200);
  // The broadcast that met the outage did nothing; its retry with the same key sends once.
  const rows = await outboxRows();
  const retried = await broadcast('outage-db', 'While the database is down');
  assert.equal(retried.status, 201, retried.text);
  assert.equal(retried.headers.get('idempotent-replayed'), null);
  assert.equal(await outboxRows(), rows + groupIds.length);
});

test('with Redis down requests go on at once, rate limits count per process, committed work answers success', async (t) => {
  await redis.stop();
  try {
    const r = await timed(() => login());
    assert.equal(r.status, 200, r.text);
    assert.ok(r.ms < answerBoundMs, `login answered in ${r.ms} ms`);
    t.diagnostic(`Redis down, login: ${r.status} in ${r.ms} ms`);

    // The login limit still holds, counted in this process.
    const from = '10.78.0.1';
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++) statuses.push((await login(from)).status);
    assert.deepEqual(statuses.slice(0, 20), Array(20).fill(200));
    assert.equal(statuses[21], 429);

    // The case that sent twice: the broadcast answers 201 (not a 500 after its commit), and a retry replays it.
    const rows = await outboxRows();
    const first = await timed(() => broadcast('outage-redis', 'While Redis is down'));
    assert.equal(first.status, 201, first.text);
    assert.ok(first.ms < answerBoundMs, `broadcast answered in ${first.ms} ms`);
    t.diagnostic(`Redis down, broadcast: ${first.status} in ${first.ms} ms`);
    const retry = await broadcast('outage-redis', 'While Redis is down');
    assert.deepEqual([retry.status, retry.headers.get('idempotent-replayed')], [201, 'true']);
    assert.equal(await outboxRows(), rows + groupIds.length);
  } finally {
    await redis.start();
  }
  // Back on Redis: the counters are shared again.
  const probe = new Redis(redis.url);
  try {
    await eventually(async () => {
      await login('10.79.0.1');
      return (await probe.keys('kovan-outage:rl:*')).length > 0;
    }, 30_000, 'rate-limit counters back in Redis');
  } finally {
    probe.disconnect();
  }
});

test('a Redis that accepts connections but answers nothing costs one short timeout, not a hang', async (t) => {
  redis.freeze!();
  try {
    // First, while the breaker is still closed: a live-events stream subscribes (on a new connection).
    const started = Date.now();
    const stream = new AbortController();
    const events = await fetch(`${api.url}/api/events`, { headers: { authorization: `Bearer ${owner.token}` }, signal: stream.signal });
    assert.equal(events.status, 200);
    const opened = Date.now() - started;
    assert.ok(opened < answerBoundMs, `the event stream opened in ${opened} ms`);
    t.diagnostic(`Redis frozen, event stream: opened in ${opened} ms`);
    stream.abort();
    for (let i = 0; i < 4; i++) {
      const r = await timed(() => login());
      assert.equal(r.status, 200, r.text);
      assert.ok(r.ms < answerBoundMs, `login ${i} answered in ${r.ms} ms`);
      t.diagnostic(`Redis frozen, login ${i}: ${r.status} in ${r.ms} ms`);
    }
  } finally {
    redis.thaw!();
  }
  assert.equal((await login()).status, 200);
});
