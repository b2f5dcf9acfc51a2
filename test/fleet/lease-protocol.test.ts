import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { FleetStore } from '../../src/fleet/fleet-store.js';
import { assertLease, LeaseLostError } from '../../src/platform/fencing.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { startTestApi, registerTenant, type TestApi } from '../helpers/api.js';
import { connectSandboxBot, startTestSandbox } from '../helpers/telegram.js';
import { realPostgres } from '../helpers/env.js';
import { eventually } from '../helpers/processes.js';

/**
 * The lease protocol against the real database: grants raise the epoch, expired leases
 * are not renewed, a stale epoch cannot write, pools pin tenants, fair shares hold.
 * Uses its own pools so parallel test files never claim each other's sessions.
 */
let api: TestApi;
let sandbox: Sandbox;
let store: FleetStore;
const pool = `lp${process.pid}`;
const tenants: string[] = [];

before(async () => {
  sandbox = await startTestSandbox();
  api = await startTestApi();
  store = new FleetStore(api.services.db);
  for (let i = 0; i < 4; i++) {
    const t = await registerTenant(api, 'lease');
    await connectSandboxBot(api, sandbox, t.tenantId);
    tenants.push(t.tenantId);
    await api.services.db.withOwner((tx) => tx.query(`UPDATE tenants SET worker_pool = $2 WHERE id = $1`, [t.tenantId, i === 3 ? `${pool}-vip` : pool]));
  }
  await store.syncSessions();
});
after(async () => { await api.close(); await sandbox.close(); });

async function registerWorker(id: string, workerPool = pool, capacity = 100) {
  await store.registerWorker({ id, pool: workerPool, capacity, version: 'test' });
}

test('sync creates a pending session for every tenant with a connected bot, in its pool', async () => {
  const rows = await api.services.db.withOwner(async (tx) => (await tx.query<{ tenant_id: string; pool: string; state: string; weight: number }>(
    `SELECT tenant_id, pool, state, weight FROM leases WHERE tenant_id = ANY($1)`, [tenants])).rows);
  assert.equal(rows.length, 4);
  for (const row of rows) {
    assert.equal(row.state, 'pending');
    assert.equal(row.weight, 1, 'Basic sessions weigh 1');
  }
});

test('a session sync in flight elsewhere does not hide unchanged sessions from a claim', { skip: !realPostgres && 'needs two connections at once (PGlite runs one transaction at a time)' }, async () => {
  // Workers sync the session rows every TTL; a sync must not lock rows it leaves as they are,
  // or every claim meanwhile (FOR UPDATE SKIP LOCKED) would pass over them.
  await registerWorker(`${pool}-a`);
  const grants = await api.services.db.withOwner(async (tx) => {
    await tx.query(`SELECT fleet_sync_sessions()`);
    return store.claim(`${pool}-a`, pool, 100, 5000);
  });
  assert.deepEqual(grants.map((g) => g.tenantId).sort(), tenants.slice(0, 3).sort(), 'every session of the pool is claimable during the sync');
  for (const grant of grants) await store.release({ tenantId: grant.tenantId, workerId: `${pool}-a`, epoch: grant.epoch });
});

test('claim grants with a rising epoch; expired leases are not renewed and go to the next claimant', async () => {
  await registerWorker(`${pool}-a`);
  await registerWorker(`${pool}-b`);
  // Long enough that the second claim surely comes while they live, on however busy a machine.
  const first = await store.claim(`${pool}-a`, pool, 100, 3000);
  assert.deepEqual(first.map((g) => g.tenantId).sort(), tenants.slice(0, 3).sort(), 'only the tenants of its pool');
  const lease = { tenantId: first[0]!.tenantId, workerId: `${pool}-a`, epoch: first[0]!.epoch };

  assert.equal((await store.claim(`${pool}-b`, pool, 100, 300)).length, 0, 'nothing free while leases live');
  await eventually(() => api.services.db.withOwner(async (tx) => (await tx.query<{ expired: boolean }>(
    `SELECT expires_at <= now() AS expired FROM leases WHERE tenant_id = $1`, [lease.tenantId])).rows[0]!.expired), 30_000, 'the lease expired');
  const renewed = await store.renew(`${pool}-a`, [lease], 300);
  assert.equal(renewed.size, 0, 'an expired lease is not renewed');

  const second = await store.claim(`${pool}-b`, pool, 100, 5000);
  const taken = second.find((g) => g.tenantId === lease.tenantId)!;
  assert.ok(taken.epoch > lease.epoch, 'the new grant has a higher epoch');

  // The stale holder's fenced write fails; the new holder's succeeds.
  await assert.rejects(api.services.db.withTenant(lease.tenantId, (tx) => assertLease(tx, lease)), LeaseLostError);
  await api.services.db.withTenant(lease.tenantId, (tx) => assertLease(tx, { workerId: `${pool}-b`, epoch: taken.epoch }));
  for (const grant of second) await store.release({ tenantId: grant.tenantId, workerId: `${pool}-b`, epoch: grant.epoch });
});

test('a pinned tenant is only granted to workers of its pool', async () => {
  const vip = tenants[3]!;
  const shared = await store.claim(`${pool}-a`, pool, 100, 5000);
  assert.ok(!shared.some((g) => g.tenantId === vip), 'the pinned tenant is not granted to the shared pool');
  await registerWorker(`${pool}-vip-1`, `${pool}-vip`);
  const dedicated = await store.claim(`${pool}-vip-1`, `${pool}-vip`, 100, 5000);
  assert.deepEqual(dedicated.map((g) => g.tenantId), [vip]);
  for (const grant of shared) await store.release({ tenantId: grant.tenantId, workerId: `${pool}-a`, epoch: grant.epoch });
});

test('claims respect the budget in weight units', async () => {
  const grants = await store.claim(`${pool}-a`, pool, 2, 5000);
  assert.equal(grants.length, 2);
  for (const grant of grants) await store.release({ tenantId: grant.tenantId, workerId: `${pool}-a`, epoch: grant.epoch });
});

test('pool load counts live workers and session weight', async () => {
  const load = await store.poolLoad(pool, 60_000);
  assert.equal(load.sessionWeight, 3);
  assert.equal(load.liveWorkers, 2);
  assert.equal(load.liveCapacity, 200);
});

test('failures back off, then park the session as failed', async () => {
  const [grant] = await store.claim(`${pool}-a`, pool, 1, 5000);
  const lease = { tenantId: grant!.tenantId, workerId: `${pool}-a`, epoch: grant!.epoch };
  const first = await store.recordFailure(lease, 'boom', { park: false, maxFailures: 2, backoffMs: () => 50 });
  assert.deepEqual(first, { parked: false, failures: 1 });
  await new Promise((r) => setTimeout(r, 100));
  const [again] = (await store.claim(`${pool}-a`, pool, 100, 5000)).filter((g) => g.tenantId === lease.tenantId);
  assert.ok(again, 'retried after the backoff');
  const second = await store.recordFailure({ ...lease, epoch: again.epoch }, 'boom again', { park: false, maxFailures: 2, backoffMs: () => 50 });
  assert.deepEqual(second, { parked: true, failures: 2 });
  await new Promise((r) => setTimeout(r, 100));
  const afterPark = await store.claim(`${pool}-a`, pool, 100, 5000);
  assert.ok(!afterPark.some((g) => g.tenantId === lease.tenantId), 'a parked session is not claimed again');
  const overview = await store.overview();
  const parked = (overview.sessions as Array<{ tenantId: string; state: string; lastError: string }>).find((s) => s.tenantId === lease.tenantId)!;
  assert.equal(parked.state, 'failed');
  assert.equal(parked.lastError, 'boom again');
});

test('health reports reach the operator view; only a healthy session’s failure streak is forgiven, and only for its own epoch', async () => {
  // A session the previous test's last claim left running on worker a.
  const held = (await store.overview()).sessions.find((s) => (s as { workerId: string | null; state: string }).workerId === `${pool}-a` && (s as { state: string }).state === 'running') as { tenantId: string; epoch: number } | undefined;
  assert.ok(held, 'a running session to work with');
  const lease = { tenantId: held.tenantId, workerId: `${pool}-a`, epoch: Number(held.epoch) };
  await api.services.db.withOwner((tx) => tx.query(`UPDATE leases SET failures = 3 WHERE tenant_id = $1`, [lease.tenantId]));
  const failuresNow = async () => (await store.overview()).sessions.find((s) => (s as { tenantId: string }).tenantId === lease.tenantId) as { failures: number; health: { bots?: number } };

  await store.reportHealth(lease.workerId, [{ ...lease, health: { bots: 1 }, healthy: false }]);
  assert.deepEqual([(await failuresNow()).failures, (await failuresNow()).health.bots], [3, 1], 'health written, streak kept while not yet healthy');
  await store.reportHealth(lease.workerId, [{ ...lease, epoch: lease.epoch - 1, health: { bots: 9 }, healthy: true }]);
  assert.deepEqual([(await failuresNow()).failures, (await failuresNow()).health.bots], [3, 1], 'a stale epoch changes nothing');
  await store.reportHealth(lease.workerId, [{ ...lease, health: { bots: 2 }, healthy: true }]);
  assert.equal((await failuresNow()).failures, 0, 'a healthy session is forgiven its streak');
  await store.release(lease);
});
