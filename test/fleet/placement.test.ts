import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { changePlan } from '../../src/billing/index.js';
import { Worker } from '../../src/fleet/index.js';
import { sessionDeps } from '../../src/roles/worker.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import type { PlanCode } from '../../src/tenancy/index.js';
import { registerTenant, startTestApi, type TestApi } from '../helpers/api.js';
import { eventually } from '../helpers/processes.js';
import { connectSandboxBot, startTestSandbox } from '../helpers/telegram.js';

/**
 * Placement through the real SQL and real workers (in this process, both databases): heavy
 * sessions are never starved by light ones, weights follow plan changes, and the operators'
 * fleet view says why a session waits. The pure rules are property-tested in fair-share.test.ts.
 */
const ttlMs = 3000;
const pool = `pl${process.pid}`;
let api: TestApi;
let sandbox: Sandbox;
const workers: Worker[] = [];

before(async () => {
  sandbox = await startTestSandbox();
  api = await startTestApi({ config: { TELEGRAM_API_ROOT: sandbox.apiRoot, LEASE_TTL_MS: String(ttlMs), POLL_TIMEOUT_SECONDS: '1' } });
});
after(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await api.close();
  await sandbox.close();
});

async function tenantOn(plan: PlanCode, workerPool = pool) {
  const t = await registerTenant(api, 'place');
  await api.services.db.withOwner((tx) => tx.query(`UPDATE tenants SET worker_pool = $2 WHERE id = $1`, [t.tenantId, workerPool]));
  await api.services.db.withTenant(t.tenantId, (tx) => changePlan(tx, plan));
  await connectSandboxBot(api, sandbox, t.tenantId);
  return t;
}

async function startWorker(): Promise<Worker> {
  const worker = new Worker(sessionDeps(api.services), { pool, capacity: 1000, leaseTtlMs: ttlMs, version: 'test', log: api.services.log });
  workers.push(worker);
  await worker.start();
  return worker;
}

const holder = (tenantId: string) => workers.find((w) => w.sessions().some((s) => s.tenantId === tenantId));

test('with the default two workers, an Enterprise session is placed at once, not starved', async () => {
  // The reported case: two workers share the pool, so each one's fair share of an Enterprise
  // session (weight 8) is 4 and its ceiling ceil(4 × 1.1) + 1 = 6: the session fit under
  // neither and stayed pending with epoch 0, while a Basic session was claimed at once.
  await startWorker();
  await startWorker();
  const basic = await tenantOn('basic');
  await eventually(async () => holder(basic.tenantId), 20_000, 'the Basic session runs');

  const enterprise = await tenantOn('enterprise');
  await eventually(async () => holder(enterprise.tenantId), 20_000, 'the Enterprise session runs on a worker');
  const lease = await api.services.db.withTenant(enterprise.tenantId, async (tx) =>
    (await tx.query<{ state: string; epoch: number; weight: number }>(`SELECT state, epoch, weight FROM leases`)).rows[0]!);
  assert.deepEqual([lease.state, lease.weight], ['running', 8]);
  assert.ok(lease.epoch >= 1, 'granted');
  assert.ok(holder(basic.tenantId), 'the Basic session still runs');
});

test('a plan change reaches the weight its holder counts', async () => {
  const t = await tenantOn('premium');
  await eventually(async () => holder(t.tenantId), 20_000, 'the session runs');
  const weight = () => holder(t.tenantId)?.sessions().find((s) => s.tenantId === t.tenantId)?.weight;
  assert.equal(weight(), 4);
  await api.services.db.withTenant(t.tenantId, (tx) => changePlan(tx, 'basic'));
  // The next session sync (every TTL) writes the lease's weight; the next renewal brings it to the holder.
  await eventually(async () => weight() === 1, 20_000, 'the holder counts the Basic weight');
});

test('the operators’ fleet view shows a session that waits, since when and why', async () => {
  const operator = await registerTenant(api, 'placeop');
  await api.services.db.withOwner((tx) => tx.query('UPDATE tenants SET is_operator = true WHERE id = $1', [operator.tenantId]));
  const stranded = await tenantOn('advanced', `${pool}-empty`);
  type Session = { tenantId: string; state: string; waitingSince: string | null; waitingReason: string | null };
  const view = await eventually(async () => {
    const r = await api.request('GET', '/api/admin/fleet', { token: operator.token });
    assert.equal(r.status, 200, r.text);
    return (r.body.sessions as Session[]).find((s) => s.tenantId === stranded.tenantId);
  }, 20_000, 'the session row synced');
  assert.equal(view.state, 'pending');
  assert.ok(view.waitingSince, 'since when it waits');
  assert.match(view.waitingReason ?? '', new RegExp(`no live worker in pool ${pool}-empty`));
  const running = (await api.request('GET', '/api/admin/fleet', { token: operator.token })).body.sessions as Session[];
  const held = running.find((s) => s.state === 'running' && workers.some((w) => w.sessions().some((x) => x.tenantId === s.tenantId)))!;
  assert.equal(held.waitingReason, null, 'a running session does not wait');
});
