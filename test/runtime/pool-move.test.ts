import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from '../../src/fleet/index.js';
import { sessionDeps } from '../../src/roles/worker.js';
import { registerTenant } from '../helpers/api.js';
import { eventually } from '../helpers/processes.js';
import { startRuntime, type Runtime, type RuntimeTenant } from '../helpers/runtime.js';

/**
 * An operator pins a running tenant to a dedicated pool: its session leaves the shared
 * worker and runs on a worker of the new pool, and the bot keeps working there.
 */
let rt: Runtime;
let tenant: RuntimeTenant;
let dedicated: Worker;
let operatorToken: string;
const pool = `vip${process.pid}`;

before(async () => {
  rt = await startRuntime();
  tenant = await rt.tenant({ plan: 'premium' });
  dedicated = new Worker(sessionDeps(rt.api.services), { pool, capacity: 10, leaseTtlMs: 3000, version: 'test', log: rt.api.services.log });
  await dedicated.start();
  const operator = await registerTenant(rt.api, 'poolop');
  await rt.api.services.db.withOwner((tx) => tx.query('UPDATE tenants SET is_operator = true WHERE id = $1', [operator.tenantId]));
  operatorToken = operator.token;
});
after(async () => { await dedicated?.stop(); await rt.close(); });

const holds = (worker: Worker) => worker.sessions().some((s) => s.tenantId === tenant.tenantId);

test('pinned to a dedicated pool, the session moves to that pool’s worker and keeps answering', async () => {
  assert.ok(holds(rt.worker) && !holds(dedicated), 'it starts on the shared worker');
  const bad = await rt.api.request('POST', `/api/admin/tenants/${tenant.tenantId}/pool`, { token: operatorToken, body: { pool: 'Not A Pool!' } });
  assert.equal(bad.status, 400, bad.text);
  const r = await rt.api.request('POST', `/api/admin/tenants/${tenant.tenantId}/pool`, { token: operatorToken, body: { pool } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.tenant.workerPool, pool);

  await eventually(async () => !holds(rt.worker), 10_000, 'the shared worker let the session go');
  await eventually(async () => holds(dedicated), 15_000, "the dedicated pool's worker runs it");
  assert.ok(!holds(rt.worker), 'never on both');
  rt.sandbox.userSendsMessage(tenant.bot.memberIds[0]!, tenant.bot.groupChatId, 'still there after the move?');
  await eventually(async () => rt.api.services.db.withTenant(tenant.tenantId, async (tx) =>
    (await tx.query(`SELECT 1 FROM messages WHERE direction = 'in' AND text = 'still there after the move?'`)).rows[0]), 15_000, 'the update handled on the new pool');
  const refused = await rt.api.request('POST', `/api/admin/tenants/${tenant.tenantId}/pool`, { token: tenant.token, body: { pool: 'shared' } });
  assert.equal(refused.status, 403, 'a tenant cannot move itself');
});
