import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../helpers/processes.js';
import { randomBotToken } from '../helpers/telegram.js';
import { startRuntime, type Runtime, type RuntimeTenant } from '../helpers/runtime.js';

/**
 * A tenant's bots change while its session runs: a bot connected through the API is polled
 * without waiting for anything else to restart the session, and a disconnected bot (its
 * token wiped) is not used any more.
 */
let rt: Runtime;
let tenant: RuntimeTenant;

before(async () => {
  rt = await startRuntime();
  tenant = await rt.tenant({ plan: 'premium' });
});
after(async () => { await rt.close(); });

const groupRow = (chatId: number) => rt.api.services.db.withTenant(tenant.tenantId, async (tx) =>
  (await tx.query<{ id: string }>(`SELECT id FROM groups WHERE chat_id = $1`, [chatId])).rows[0]);
const incoming = (text: string) => rt.api.services.db.withTenant(tenant.tenantId, async (tx) =>
  (await tx.query(`SELECT 1 FROM messages WHERE direction = 'in' AND text = $1`, [text])).rows.length);

test('a second bot connected while the session runs is polled: its new group appears', async () => {
  const second = rt.sandbox.createBot({ username: `chg${process.pid}_bot`, token: randomBotToken(), canReadAllGroupMessages: true });
  const r = await rt.api.request('POST', '/api/bots', { token: tenant.token, body: { token: second.token } });
  assert.equal(r.status, 201, r.text);
  const group = rt.sandbox.createGroup({ title: 'Second bot group', type: 'supergroup', memberIds: tenant.bot.memberIds });
  rt.sandbox.addBotToGroup(second.id, group.id, { admin: true });
  await eventually(() => groupRow(group.id), 15_000, "the second bot's group discovered by the running session");
});

test('a disconnected bot is not polled any more: what its group says after that is not received', async () => {
  const r = await rt.api.request('DELETE', `/api/bots/${tenant.bot.bot.id}`, { token: tenant.token });
  assert.equal(r.status, 204, r.text);
  // The restart is asynchronous: wait until the session runs again without the bot, then speak.
  await eventually(async () => rt.worker.sessions().find((s) => s.tenantId === tenant.tenantId && s.health.bots === 1 && s.health.connected), 15_000, 'the session restarted with one bot');
  rt.sandbox.userSendsMessage(tenant.bot.memberIds[0]!, tenant.bot.groupChatId, 'anyone still listening?');
  // A barrier: the remaining bot's message is received, so the session has polled since.
  const other = rt.sandbox.createGroup({ title: 'Barrier', type: 'supergroup', memberIds: tenant.bot.memberIds });
  const remaining = await rt.api.services.db.withTenant(tenant.tenantId, async (tx) =>
    (await tx.query<{ telegram_bot_id: string }>(`SELECT telegram_bot_id FROM bots WHERE status = 'connected'`)).rows.map((b) => Number(b.telegram_bot_id)));
  assert.equal(remaining.length, 1, 'one bot left connected');
  rt.sandbox.addBotToGroup(remaining[0]!, other.id, { admin: true });
  rt.sandbox.userSendsMessage(tenant.bot.memberIds[0]!, other.id, 'barrier message');
  await eventually(async () => (await incoming('barrier message')) > 0, 15_000, 'the remaining bot still works');
  assert.equal(await incoming('anyone still listening?'), 0, "the disconnected bot's update was not fetched");
});
