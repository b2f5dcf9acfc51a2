import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { enqueueDelivery } from '../../src/delivery/index.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { startTestApi, registerTenant, type TestApi } from '../helpers/api.js';
import { realPostgres } from '../helpers/env.js';
import { eventually, spawnWorker, type WorkerProcess } from '../helpers/processes.js';
import { connectSandboxBot, startTestSandbox, type ConnectedBot } from '../helpers/telegram.js';

/**
 * Worker liveness through the database connection (migration 0011): real `kovan worker`
 * processes on real PostgreSQL. A worker killed with -9 loses its liveness lock at once, so
 * peers take its sessions over long before its leases expire; a live worker whose liveness
 * connection is cut stops its sessions itself, so two pollers never run at once. (A paused
 * worker keeps its lock and is fenced by the lease epoch: the split-brain test in failover.test.ts.)
 */
const skip = !realPostgres && 'needs several processes sharing one database: PGlite serves a single process (runs in the PostgreSQL pass)';
/** Long, so that a takeover before the old lease's expiry can only come from the liveness lock. */
const ttlMs = 20_000;
const pool = `lv${process.pid}`;
const tenantCount = 6;
let api: TestApi;
let sandbox: Sandbox;
const tenants: Array<{ tenantId: string; bot: ConnectedBot }> = [];
const workers: WorkerProcess[] = [];

before(async () => {
  if (skip) return;
  sandbox = await startTestSandbox();
  api = await startTestApi({ config: { TELEGRAM_API_ROOT: sandbox.apiRoot } });
  for (let i = 0; i < tenantCount; i++) {
    const t = await registerTenant(api, 'lv');
    await api.services.db.withOwner((tx) => tx.query(`UPDATE tenants SET worker_pool = $2 WHERE id = $1`, [t.tenantId, pool]));
    tenants.push({ tenantId: t.tenantId, bot: await connectSandboxBot(api, sandbox, t.tenantId) });
  }
  for (let i = 0; i < 2; i++) {
    workers.push(spawnWorker(api.config, { TELEGRAM_API_ROOT: sandbox.apiRoot, LEASE_TTL_MS: String(ttlMs), POLL_TIMEOUT_SECONDS: '1', WORKER_POOL: pool, WORKER_CAPACITY: '100' }));
  }
});
after(async () => {
  if (skip) return;
  await Promise.all(workers.map((w) => w.kill()));
  await api.close();
  await sandbox.close();
});

interface LeaseRow { tenant_id: string; worker_id: string | null; live: boolean; expires_ms: number; granted_ms: number }

async function leases(): Promise<LeaseRow[]> {
  return api.services.db.withOwner(async (tx) => (await tx.query<LeaseRow>(
    `SELECT tenant_id, worker_id, (worker_id IS NOT NULL AND expires_at > now() AND state = 'running') AS live,
            extract(epoch FROM expires_at) * 1000 AS expires_ms, extract(epoch FROM granted_at) * 1000 AS granted_ms
       FROM leases WHERE pool = $1`, [pool])).rows);
}

/** Waits until every session runs (on at least `holders` workers); returns one holder's id and its sessions. */
async function aHolder(atLeast: number): Promise<{ workerId: string; held: LeaseRow[] }> {
  return eventually(async () => {
    const now = await leases();
    const holders = new Set(now.filter((l) => l.live).map((l) => l.worker_id!));
    if (now.filter((l) => l.live).length !== tenantCount || holders.size < atLeast) return undefined;
    const workerId = [...holders].sort()[0]!;
    return { workerId, held: now.filter((l) => l.worker_id === workerId) };
  }, 60_000, 'all sessions running');
}

function workerProcess(workerId: string): WorkerProcess {
  const pid = Number(workerId.split('-').at(-2));
  const worker = workers.find((w) => w.child.pid === pid);
  assert.ok(worker, `worker process ${workerId}`);
  return worker;
}

let messageSeq = 0;
async function sendRound(label: string): Promise<void> {
  const texts: string[] = [];
  for (const t of tenants) {
    const text = `${label}-${messageSeq++}`;
    await api.services.db.withTenant(t.tenantId, (tx) => enqueueDelivery(tx, { botId: t.bot.bot.id, chatId: t.bot.groupChatId, kind: 'broadcast', text, idempotencyKey: `test:${text}` }));
    texts.push(text);
  }
  const count = (text: string) => sandbox.sentMessages({}).filter((m) => m.text === text).length;
  await eventually(async () => texts.every((t) => count(t) >= 1), 60_000, `every ${label} message sent`);
  assert.deepEqual(texts.filter((t) => count(t) > 1), [], 'no message sent twice');
}

test('kill -9: peers see the dead worker’s liveness lock go and take its sessions over long before its leases expire', { skip }, async () => {
  const { workerId, held } = await aHolder(2);
  await workerProcess(workerId).kill();
  const taken = await eventually(async () => {
    const now = await leases();
    const moved = held.map((h) => now.find((l) => l.tenant_id === h.tenant_id && l.live && l.worker_id !== workerId));
    return moved.every(Boolean) && (moved as LeaseRow[]);
  }, ttlMs, 'the dead worker’s sessions running on the other one');
  for (const [i, lease] of taken.entries()) {
    assert.ok(lease.granted_ms < held[i]!.expires_ms, `taken over ${Math.round(held[i]!.expires_ms - lease.granted_ms)} ms before the old lease would have expired`);
  }
  await sendRound('after-kill');
});

test('a live worker whose liveness connection is cut stops its sessions at once: no two pollers, nothing sent twice', { skip }, async () => {
  const { workerId, held } = await aHolder(1);
  sandbox.clearCalls();
  // The server ends the connection holding the worker's liveness lock (a restart, an admin, a proxy would).
  const ended = await api.services.db.withOwner(async (tx) => (await tx.query<{ ok: boolean }>(
    `SELECT pg_terminate_backend(k.pid) AS ok FROM pg_locks k JOIN workers w ON k.objid = w.liveness_key::oid
      WHERE k.locktype = 'advisory' AND k.classid = 4943734 AND k.objsubid = 2 AND w.id = $1`, [workerId])).rows);
  assert.deepEqual(ended.map((r) => r.ok), [true], 'the liveness connection found and ended');
  const cut = workerProcess(workerId);
  await eventually(async () => /liveness connection lost/.test(cut.output.join('')), 20_000, 'the worker noticed');
  await eventually(async () => {
    const now = await leases();
    return held.every((h) => now.some((l) => l.tenant_id === h.tenant_id && l.live));
  }, ttlMs, 'its sessions running again');
  await sendRound('after-cut');
  const conflicts = sandbox.calls.list({ method: 'getUpdates' }).filter((c) => c.errorCode === 409);
  assert.deepEqual(conflicts.map((c) => c.botId), [], 'no two getUpdates at once for any bot');
});
