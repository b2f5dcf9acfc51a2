import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { enqueueMany } from '../../src/delivery/index.js';
import type { Database } from '../../src/platform/db/index.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { realPostgres } from '../helpers/env.js';
import { deliveredTexts, drain, grantLease, outboxStatuses, sandboxTenant, waitUntilDrained, type SandboxTenant } from './fixtures.js';
import { withDatabaseAndSandbox } from './setup.js';

/**
 * A sender process SIGKILLed mid-work, then a new lease holder (higher epoch) taking over.
 * The child is a real process on the same PostgreSQL database; the sandbox's call log is
 * the witness: no message lost, none twice.
 */
const skip = !realPostgres && 'the killed sender is another process, which needs a shared PostgreSQL server (PGlite is in-process)';
const child = path.join(import.meta.dirname, 'claiming-child.ts');

let db: Database;
let sandbox: Sandbox;
withDatabaseAndSandbox((opened, started) => { db = opened; sandbox = started; });

async function queue(t: SandboxTenant, count: number): Promise<void> {
  const requests = t.groups.flatMap((g) => Array.from({ length: count / t.groups.length }, (_, i) => ({
    botId: t.botId, chatId: g.chatId, kind: 'broadcast' as const, text: `${g.chatId}/${i}`, idempotencyKey: `${g.chatId}/${i}`,
  })));
  await db.withTenant(t.tenantId, (tx) => enqueueMany(tx, requests));
}

/** Runs the child until `ready` says so, then kills it with SIGKILL (no cleanup of any kind). */
async function runAndKill(t: SandboxTenant, crashPoint: 'before-send' | 'in-call', ready: () => Promise<boolean>): Promise<void> {
  const proc = spawn(process.execPath, ['--import', 'tsx', child], {
    env: { ...process.env, CRASH_POINT: crashPoint, TENANT_ID: t.tenantId, WORKER_ID: t.lease.workerId, EPOCH: String(t.lease.epoch), BOT_TOKEN: t.token },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  proc.stdout!.on('data', (d) => { output += String(d); });
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  const deadline = Date.now() + 20_000;
  while (!(output.includes('claimed') && (await ready()))) {
    if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`child never got there: ${output}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  proc.kill('SIGKILL');
  await exited;
}

test('killed between claim and send: the next holder sends every message exactly once', { skip }, async () => {
  const t = await sandboxTenant(db, sandbox, { groups: 4, plan: 'premium' });
  await queue(t, 40);
  await runAndKill(t, 'before-send', async () => ((await outboxStatuses(db, t.tenantId)).claimed ?? 0) > 0);
  const left = await outboxStatuses(db, t.tenantId);
  assert.ok((left.claimed ?? 0) > 0 && !left.sending, `the child died holding claims: ${JSON.stringify(left)}`);
  assert.equal(sandbox.calls.list({ botId: t.telegramBotId }).length, 0, 'and had sent nothing');

  const successor = await grantLease(db, t.tenantId, 'successor');
  const drainer = drain(db, t, { lease: successor });
  assert.deepEqual(await waitUntilDrained(db, t.tenantId), { sent: 40 });
  await drainer.stop();
  const counts = deliveredTexts(sandbox, t.telegramBotId);
  assert.equal(counts.size, 40, 'no message lost');
  assert.ok([...counts.values()].every((c) => c === 1), 'no message twice');
  assert.ok(drainer.events.some((e) => e.type === 'recovered' && e.requeued === left.claimed));
});

test('killed while calls were on the wire: those rows end "outcome_unknown" and are never resent', { skip }, async () => {
  const t = await sandboxTenant(db, sandbox, { groups: 4, plan: 'premium' });
  await queue(t, 20);
  await runAndKill(t, 'in-call', async () => ((await outboxStatuses(db, t.tenantId)).sending ?? 0) > 0);
  const inDoubt = (await outboxStatuses(db, t.tenantId)).sending!;

  const successor = await grantLease(db, t.tenantId, 'successor');
  const drainer = drain(db, t, { lease: successor });
  const statuses = await waitUntilDrained(db, t.tenantId);
  await drainer.stop();
  assert.deepEqual(statuses, { sent: 20 - inDoubt, failed: inDoubt });
  const unknown = await db.withTenant(t.tenantId, (tx) => tx.query<{ text: string }>(`SELECT text FROM outbox WHERE status = 'failed' AND reason = 'outcome_unknown'`));
  assert.equal(unknown.rows.length, inDoubt);
  const counts = deliveredTexts(sandbox, t.telegramBotId);
  for (const row of unknown.rows) assert.equal(counts.get(`${row.text.split('/')[0]}:${row.text}`), undefined, 'an in-doubt message is not sent again');
  assert.equal(counts.size, 20 - inDoubt);
  assert.ok([...counts.values()].every((c) => c === 1));
  const history = await db.withTenant(t.tenantId, (tx) => tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM messages WHERE reason = 'outcome_unknown'`));
  assert.equal(history.rows[0]!.n, inDoubt, 'the history says so');
});
