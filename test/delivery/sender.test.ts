import { test } from 'node:test';
import assert from 'node:assert/strict';
import { enqueueDelivery, enqueueMany, type DeliveryRequest } from '../../src/delivery/index.js';
import type { Database } from '../../src/platform/db/index.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { updateConfig } from '../../src/tenancy/index.js';
import { deliveredTexts, drain, grantLease, insertGroup, outboxStatuses, sandboxTenant, testLimits, waitUntilDrained, type SandboxTenant } from './fixtures.js';
import { withDatabaseAndSandbox } from './setup.js';

/**
 * The sender against the sandbox enforcing Telegram's limits (on a clock 20× faster):
 * order, pacing, and what each kind of refusal leads to. Every test ends by counting what
 * the sandbox received: nothing lost, nothing twice.
 */
let db: Database;
let sandbox: Sandbox;
withDatabaseAndSandbox((opened, started) => { db = opened; sandbox = started; });

let n = 0;
function message(t: SandboxTenant, chatId: number, kind: DeliveryRequest['kind'] = 'broadcast', text = `m${n}`): DeliveryRequest {
  return { botId: t.botId, chatId, kind, text, idempotencyKey: `k${n++}` };
}

async function enqueue(t: SandboxTenant, requests: DeliveryRequest[]): Promise<void> {
  const results = await db.withTenant(t.tenantId, (tx) => enqueueMany(tx, requests));
  assert.ok(results.every((r) => r.status === 'accepted'), JSON.stringify(results));
}

async function knownUsers(t: SandboxTenant): Promise<void> {
  await db.withTenant(t.tenantId, (tx) => tx.query(
    `INSERT INTO tg_users (tenant_id, user_id, started_at) SELECT $1, u, now() FROM unnest($2::bigint[]) AS u`, [t.tenantId, t.users]));
}

test('one chat gets its messages in priority order; each outcome is in the history and the daily counts', async () => {
  const t = await sandboxTenant(db, sandbox, { users: 1 });
  const chat = t.users[0]!;
  await enqueue(t, (['broadcast', 'scheduled', 'welcome', 'reply'] as const).map((kind) => message(t, chat, kind, kind)));
  const drainer = drain(db, t);
  await waitUntilDrained(db, t.tenantId);
  await drainer.stop();
  assert.deepEqual(sandbox.calls.sentMessages({ botId: t.telegramBotId }).map((m) => 'text' in m && m.text), ['reply', 'welcome', 'scheduled', 'broadcast']);
  const history = await db.withTenant(t.tenantId, (tx) => tx.query<{ kind: string; status: string; tmid: number | null; delivery: string | null }>(
    `SELECT kind, status, telegram_message_id AS tmid, delivery_id AS delivery FROM messages WHERE direction = 'out' ORDER BY id`));
  assert.equal(history.rows.length, 4);
  assert.ok(history.rows.every((r) => r.status === 'sent' && r.tmid !== null && r.delivery !== null));
  const stats = await db.withTenant(t.tenantId, (tx) => tx.query<{ chat: number; out: number }>(`SELECT chat_id AS chat, messages_out AS out FROM stats_daily ORDER BY chat_id`));
  assert.deepEqual(stats.rows, [{ chat: 0, out: 4 }, { chat: chat, out: 4 }]);
});

test('a burst to many groups and one busy group is paced: no 429, each message exactly once', async () => {
  const t = await sandboxTenant(db, sandbox, { groups: 12, plan: 'premium' });
  const busy = t.groups[0]!.chatId;
  await enqueue(t, [
    ...t.groups.flatMap((g) => [message(t, g.chatId), message(t, g.chatId)]),
    ...Array.from({ length: 25 }, () => message(t, busy)),
  ]);
  const started = Date.now();
  const drainer = drain(db, t);
  const statuses = await waitUntilDrained(db, t.tenantId);
  const elapsed = Date.now() - started;
  await drainer.stop();
  assert.deepEqual(statuses, { sent: 49 });
  const refused = sandbox.calls.list({ botId: t.telegramBotId }).filter((c) => c.errorCode === 429);
  assert.deepEqual(refused.map((c) => [c.at - started, c.params.chat_id]), [], 'the sandbox never had to say 429');
  const counts = deliveredTexts(sandbox, t.telegramBotId);
  assert.equal(counts.size, 49);
  assert.ok([...counts.values()].every((c) => c === 1));
  // 27 messages into one group at 20 per (scaled) minute: the last 7 wait for the window.
  assert.ok(elapsed >= testLimits.groupWindowMs, `took ${elapsed} ms, under one group window`);
});

test('429 with retry_after: the bot and chat wait that long, then the message goes; nothing lost', async () => {
  const t = await sandboxTenant(db, sandbox, { groups: 2 });
  sandbox.failNext(t.telegramBotId, { method: 'sendMessage', errorCode: 429, description: 'Too Many Requests: retry after 6', retryAfter: 6 });
  const requests = t.groups.flatMap((g) => [message(t, g.chatId), message(t, g.chatId)]);
  await enqueue(t, requests);
  const drainer = drain(db, t);
  await waitUntilDrained(db, t.tenantId);
  await drainer.stop();
  const calls = sandbox.calls.list({ botId: t.telegramBotId, method: 'sendMessage' });
  const refused = calls.find((c) => c.errorCode === 429)!;
  // Calls already on the wire when the 429 came back are answered with it; every later one waited.
  const later = calls.filter((c) => c.at > refused.at + 20);
  assert.equal(later.length, 3);
  for (const call of later) assert.ok(call.at - refused.at >= 6 * testLimits.retryAfterUnitMs, `a call ${call.at - refused.at} ms after the 429 (retry_after ${6 * testLimits.retryAfterUnitMs} ms)`);
  assert.equal(drainer.events.filter((e) => e.type === 'rate_limited').length, 1);
  const counts = deliveredTexts(sandbox, t.telegramBotId);
  assert.equal(counts.size, 4);
  assert.ok([...counts.values()].every((c) => c === 1));
  // The refused message is retried in its place: its chat's messages arrive in order.
  const chat = Number(refused.params.chat_id);
  const arrived = sandbox.calls.sentMessages({ botId: t.telegramBotId, chatId: chat }).map((m) => 'text' in m && m.text);
  assert.deepEqual(arrived, requests.filter((r) => r.chatId === chat).map((r) => r.text));
});

test('a user who blocked the bot: failed "blocked", the user marked, queued and later messages refused without calls', async () => {
  const t = await sandboxTenant(db, sandbox, { users: 2 });
  await knownUsers(t);
  const [blocker, friend] = t.users as [number, number];
  sandbox.userBlocksBot(blocker, t.telegramBotId);
  await enqueue(t, [message(t, blocker, 'reply'), message(t, blocker, 'reply'), message(t, friend, 'reply')]);
  const drainer = drain(db, t);
  assert.deepEqual(await waitUntilDrained(db, t.tenantId), { failed: 2, sent: 1 });
  await drainer.stop();
  assert.equal(sandbox.calls.list({ botId: t.telegramBotId, method: 'sendMessage' }).filter((c) => String(c.params.chat_id) === String(blocker)).length, 1, 'one call found out; the second message did not try');
  const rows = await db.withTenant(t.tenantId, async (tx) => ({
    reasons: (await tx.query<{ reason: string }>(`SELECT reason FROM messages WHERE status = 'failed'`)).rows.map((r) => r.reason),
    blocked: (await tx.query(`SELECT 1 FROM tg_users WHERE user_id = $1 AND blocked_at IS NOT NULL`, [blocker])).rows.length,
    failedStat: (await tx.query<{ n: number }>(`SELECT deliveries_failed AS n FROM stats_daily WHERE chat_id = 0`)).rows[0]!.n,
  }));
  assert.deepEqual(rows, { reasons: ['blocked', 'blocked'], blocked: 1, failedStat: 2 });
  const later = await db.withTenant(t.tenantId, (tx) => enqueueDelivery(tx, message(t, blocker, 'reply')));
  assert.equal(later.status === 'rejected' && later.reason, 'recipient_blocked');
});

test('a bot removed from a group: failed "kicked", the group marked, later messages refused', async () => {
  const t = await sandboxTenant(db, sandbox, { groups: 1 });
  const group = t.groups[0]!;
  sandbox.removeBotFromGroup(t.telegramBotId, group.chatId);
  await enqueue(t, [message(t, group.chatId), message(t, group.chatId), message(t, group.chatId)]);
  const drainer = drain(db, t);
  assert.deepEqual(await waitUntilDrained(db, t.tenantId), { failed: 3 });
  await drainer.stop();
  assert.equal(sandbox.calls.list({ botId: t.telegramBotId, method: 'sendMessage' }).length, 1);
  const status = await db.withTenant(t.tenantId, (tx) => tx.query<{ s: string }>(`SELECT bot_status AS s FROM groups WHERE id = $1`, [group.groupId]));
  assert.equal(status.rows[0]!.s, 'kicked');
  const later = await db.withTenant(t.tenantId, (tx) => enqueueDelivery(tx, message(t, group.chatId)));
  assert.equal(later.status === 'rejected' && later.reason, 'group_unavailable');
});

test('a group that became a supergroup: messages are retargeted and arrive once, in the new chat', async () => {
  const t = await sandboxTenant(db, sandbox);
  const owner = sandbox.createUser({ firstName: 'Owner' });
  const basic = sandbox.createGroup({ title: 'Basic', type: 'group', memberIds: [owner.id] });
  sandbox.addBotToGroup(t.telegramBotId, basic.id, { admin: true });
  const groupId = await insertGroup(db, t.tenantId, t.botId, basic.id);
  const supergroup = sandbox.migrateToSupergroup(basic.id);
  await enqueue(t, [message(t, basic.id, 'scheduled', 'first'), message(t, basic.id, 'scheduled', 'second')]);
  const drainer = drain(db, t);
  assert.deepEqual(await waitUntilDrained(db, t.tenantId), { sent: 2 });
  await drainer.stop();
  const texts = sandbox.calls.sentMessages({ botId: t.telegramBotId }).map((m) => [m.chat.id, 'text' in m && m.text]);
  assert.deepEqual(texts, [[supergroup.id, 'first'], [supergroup.id, 'second']]);
  const row = await db.withTenant(t.tenantId, (tx) => tx.query<{ chat: number; from: number }>(`SELECT chat_id AS chat, migrated_from_chat_id AS from FROM groups WHERE id = $1`, [groupId]));
  assert.deepEqual(row.rows[0], { chat: supergroup.id, from: basic.id });
});

test('a 502 page and a 500 are retried with back-off until the message goes', async () => {
  const t = await sandboxTenant(db, sandbox, { groups: 1 });
  sandbox.failNext(t.telegramBotId, { method: 'sendMessage', kind: 'bad-gateway' });
  sandbox.failNext(t.telegramBotId, { method: 'sendMessage', errorCode: 500, description: 'Internal Server Error' });
  await enqueue(t, [message(t, t.groups[0]!.chatId)]);
  const drainer = drain(db, t, { limits: { retryBaseMs: 20, retryMaxMs: 100 } });
  assert.deepEqual(await waitUntilDrained(db, t.tenantId), { sent: 1 });
  await drainer.stop();
  const attempts = await db.withTenant(t.tenantId, (tx) => tx.query<{ attempts: number }>(`SELECT attempts FROM outbox`));
  assert.equal(attempts.rows[0]!.attempts, 3);
  assert.equal(drainer.events.filter((e) => e.type === 'retrying').length, 2);
});

test('a lost lease stops the drainer before its next send; the new holder sends the rest, once each', async () => {
  const t = await sandboxTenant(db, sandbox, { groups: 1 });
  const chat = t.groups[0]!.chatId;
  // One group: 3 at once, then one per 50 ms — slow enough to cut in.
  await enqueue(t, Array.from({ length: 12 }, () => message(t, chat)));
  const first = drain(db, t);
  while (sandbox.calls.sentMessages({ botId: t.telegramBotId }).length < 4) await new Promise((r) => setTimeout(r, 5));
  const successor = await grantLease(db, t.tenantId, 'successor');
  assert.equal(await first.stopped, 'lease_lost');
  const sentByFirst = sandbox.calls.sentMessages({ botId: t.telegramBotId }).length;
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(sandbox.calls.sentMessages({ botId: t.telegramBotId }).length, sentByFirst, 'nothing more after the lease was lost');
  const second = drain(db, t, { lease: successor });
  const statuses = await waitUntilDrained(db, t.tenantId);
  await second.stop();
  const counts = deliveredTexts(sandbox, t.telegramBotId);
  assert.ok([...counts.values()].every((c) => c === 1), 'no message twice');
  // A call in flight when the lease moved is finished as outcome_unknown by the new holder,
  // never resent (it may or may not have arrived); everything else was sent.
  const rows = await db.withTenant(t.tenantId, (tx) => tx.query<{ text: string; status: string; reason: string | null }>(`SELECT text, status, reason FROM outbox`));
  assert.equal(rows.rows.length, 12);
  for (const row of rows.rows) {
    if (row.status === 'sent') assert.equal(counts.get(`${chat}:${row.text}`), 1);
    else assert.deepEqual([row.status, row.reason], ['failed', 'outcome_unknown']);
  }
  assert.ok((statuses.failed ?? 0) <= 1, 'at most the one call in flight is in doubt');
});

test('stop() finishes what is in flight and puts unsent claims back', async () => {
  const t = await sandboxTenant(db, sandbox, { groups: 1 });
  await enqueue(t, Array.from({ length: 8 }, () => message(t, t.groups[0]!.chatId)));
  const drainer = drain(db, t);
  while (sandbox.calls.sentMessages({ botId: t.telegramBotId }).length < 3) await new Promise((r) => setTimeout(r, 5));
  await drainer.stop();
  const statuses = await outboxStatuses(db, t.tenantId);
  assert.equal(statuses.claimed ?? 0, 0);
  assert.equal(statuses.sending ?? 0, 0);
  assert.equal((statuses.sent ?? 0) + (statuses.queued ?? 0), 8);
  assert.equal(statuses.sent, sandbox.calls.sentMessages({ botId: t.telegramBotId }).length);
});

test('paid broadcast mode, when the tenant turns it on, marks bulk messages and lifts the bot limit', async () => {
  const t = await sandboxTenant(db, sandbox, { groups: 1, users: 1 });
  await db.withTenant(t.tenantId, (tx) => updateConfig(tx, 'paid_broadcast', true));
  await knownUsers(t);
  await enqueue(t, [message(t, t.groups[0]!.chatId, 'broadcast'), message(t, t.users[0]!, 'reply')]);
  const drainer = drain(db, t);
  await waitUntilDrained(db, t.tenantId);
  await drainer.stop();
  const paid = sandbox.calls.list({ botId: t.telegramBotId, method: 'sendMessage' }).map((c) => [c.params.chat_id, c.params.allow_paid_broadcast ?? false]);
  assert.deepEqual(paid.sort(), [[t.groups[0]!.chatId, true], [t.users[0]!, false]].sort());
});
