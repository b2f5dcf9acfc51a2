import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from '../../src/fleet/index.js';
import { MemoryCache } from '../../src/platform/cache/index.js';
import { sessionDeps } from '../../src/roles/worker.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { startTestApi, registerTenant, type TestApi } from '../helpers/api.js';
import { realPostgres } from '../helpers/env.js';
import { eventually, spawnWorker, type WorkerProcess } from '../helpers/processes.js';
import { connectSandboxBot, randomBotToken, startTestSandbox } from '../helpers/telegram.js';

/**
 * What the API tells the worker holding a tenant's session (a bot connected or
 * disconnected) reaches it: on PostgreSQL without Redis by LISTEN/NOTIFY, and when a signal
 * is lost all the same, by the worker's periodic reconcile.
 */
const skip = !realPostgres && 'needs several processes sharing one database: PGlite serves a single process (runs in the PostgreSQL pass)';
const pool = `sig${process.pid}`;
let api: TestApi;
let sandbox: Sandbox;
const workers: WorkerProcess[] = [];

before(async () => {
  sandbox = await startTestSandbox();
  api = await startTestApi({ config: { TELEGRAM_API_ROOT: sandbox.apiRoot, REDIS_URL: '' } });
});
after(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await api.close();
  await sandbox.close();
});

const polls = (telegramBotId: number) => sandbox.calls.list({ botId: telegramBotId, method: 'getUpdates' }).length;
const restartsOnSignal = () => workers.flatMap((w) => w.output).join('').split('session restarting: its bots changed').length - 1;

test('a bot connected through the API polls within seconds, with two worker processes and no Redis; a disconnected one restarts the session again', { skip }, async () => {
  assert.equal(api.services.cache.bus.kind, 'postgres', 'the API publishes over PostgreSQL');
  const tenant = await registerTenant(api, 'sig');
  await api.services.db.withOwner((tx) => tx.query(`UPDATE tenants SET worker_pool = $2 WHERE id = $1`, [tenant.tenantId, pool]));
  const first = await connectSandboxBot(api, sandbox, tenant.tenantId);
  for (let i = 0; i < 2; i++) {
    workers.push(spawnWorker(api.config, { TELEGRAM_API_ROOT: sandbox.apiRoot, LEASE_TTL_MS: '9000', POLL_TIMEOUT_SECONDS: '1', WORKER_POOL: pool, LOG_LEVEL: 'info' }));
  }
  await eventually(async () => polls(first.telegramBotId) > 0, 60_000, 'the first bot polling');

  const second = sandbox.createBot({ username: `sig${process.pid}_bot`, token: randomBotToken() });
  const connected = await api.request('POST', '/api/bots', { token: tenant.token, body: { token: second.token } });
  assert.equal(connected.status, 201, connected.text);
  const signalled = Date.now();
  await eventually(async () => polls(second.id) > 0, 60_000, 'the second bot polling');
  const elapsedMs = Date.now() - signalled;
  // The signal, not a periodic check, restarted the session (the reconcile logs another line).
  assert.equal(restartsOnSignal(), 1, workers.flatMap((w) => w.output).join(''));
  console.log(`# the second bot polled ${elapsedMs} ms after it was connected`);

  const disconnected = await api.request('DELETE', `/api/bots/${connected.body.bot.id}`, { token: tenant.token });
  assert.equal(disconnected.status, 204, disconnected.text);
  await eventually(async () => restartsOnSignal() === 2, 60_000, 'the session restarting without the disconnected bot');
});

test('a signal lost on the way (the bus was down): the worker’s reconcile restarts the session with the new bot', async () => {
  const tenant = await registerTenant(api, 'rec');
  const lonelyPool = `rec${process.pid}`;
  await api.services.db.withOwner((tx) => tx.query(`UPDATE tenants SET worker_pool = $2 WHERE id = $1`, [tenant.tenantId, lonelyPool]));
  const first = await connectSandboxBot(api, sandbox, tenant.tenantId);
  // The worker listens on a bus of its own that the API never publishes to: every signal is lost.
  const deaf = new MemoryCache();
  const worker = new Worker({ ...sessionDeps(api.services), apiRoot: sandbox.apiRoot, cache: deaf, pollTimeoutSeconds: 1 },
    { pool: lonelyPool, capacity: 100, leaseTtlMs: 9000, version: 'test', log: api.services.log, reconcileEveryMs: 500 });
  await worker.start();
  try {
    await eventually(async () => polls(first.telegramBotId) > 0, 60_000, 'the first bot polling');
    const second = sandbox.createBot({ username: `rec${process.pid}_bot`, token: randomBotToken() });
    const connected = await api.request('POST', '/api/bots', { token: tenant.token, body: { token: second.token } });
    assert.equal(connected.status, 201, connected.text);
    await eventually(async () => polls(second.id) > 0, 60_000, 'the second bot polling after the reconcile');
    assert.ok(api.logs.some((line) => line.includes('a lost signal') && line.includes(tenant.tenantId)), 'the reconcile restarted it');
  } finally {
    await worker.stop();
    await deaf.close();
  }
});
