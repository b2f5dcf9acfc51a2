import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TelegramClient } from '../../src/bots/telegram-client.js';
import { createReplyRule } from '../../src/rules/index.js';
import { createTemplate } from '../../src/templates/index.js';
import { updateGroup } from '../../src/groups/index.js';
import { updateConfig } from '../../src/tenancy/index.js';
import { eventually } from '../helpers/processes.js';
import { registerTenant } from '../helpers/api.js';
import { startRuntime, type Runtime, type RuntimeTenant } from '../helpers/runtime.js';

/** What a tenant's bot does in groups and private chats, end to end through the sandbox. */
let rt: Runtime;
let premium: RuntimeTenant;
let basic: RuntimeTenant;

before(async () => {
  rt = await startRuntime();
  premium = await rt.tenant({ plan: 'premium', privacy: false });
  basic = await rt.tenant({ plan: 'basic', privacy: true, admin: false, groupType: 'group' });
  await rt.api.services.db.withTenant(premium.tenantId, async (tx) => {
    const welcome = await createTemplate(tx, { kind: 'message', name: 'welcome', content: 'Welcome {first_name} to <b>{group_title}</b>!' });
    const invite = await createTemplate(tx, { kind: 'invite', name: 'invite', content: 'Hi {first_name}, thanks for asking to join {group_title}.' });
    const reply = await createTemplate(tx, { kind: 'reply', name: 'price', content: 'Prices, {first_name}: see /plans' });
    const start = await createTemplate(tx, { kind: 'message', name: 'start', content: 'Hello {first_name}, I am {bot_username}.' });
    await createReplyRule(tx, { name: 'price', triggerType: 'keyword', trigger: 'price, cost', caseSensitive: false, scope: 'both', groupIds: [], templateId: reply.id, priority: 10, cooldownUserSeconds: 0, cooldownChatSeconds: 0, enabled: true });
    await updateGroup(tx, premium.groupId, { settings: { welcomeTemplateId: welcome.id, inviteTemplateId: invite.id, welcomeEnabled: true, joinRequestAction: 'approve' } });
    await updateConfig(tx, 'start_template_id', start.id);
  });
});
after(async () => { await rt.close(); });

/** What the bot wrote in a chat (a group, or the private chat with a user). */
function botMessages(chatId: number, botId: number) {
  return rt.sandbox.chatMessages(chatId, chatId > 0 ? botId : undefined).filter((m) => m.from?.id === botId);
}

async function historyOf(tenantId: string) {
  return rt.api.services.db.withTenant(tenantId, async (tx) => (await tx.query<{ direction: string; kind: string; text: string | null; status: string; chat_id: number; user_id: number | null }>(
    `SELECT direction, kind, text, status, chat_id, user_id FROM messages ORDER BY id`)).rows);
}

describe('groups', () => {
  test('the bot added as admin is discovered with its rights', async () => {
    const group = await rt.api.services.db.withTenant(premium.tenantId, async (tx) => (await tx.query<{ bot_status: string; bot_can_invite: boolean; title: string; type: string }>(
      `SELECT bot_status, bot_can_invite, title, type FROM groups WHERE id = $1`, [premium.groupId])).rows[0]!);
    assert.equal(group.bot_status, 'administrator');
    assert.equal(group.bot_can_invite, true);
    assert.equal(group.type, 'supergroup');
    const count = await eventually(async () => rt.api.services.db.withTenant(premium.tenantId, async (tx) =>
      (await tx.query<{ member_count: number | null }>(`SELECT member_count FROM groups WHERE id = $1`, [premium.groupId])).rows[0]!.member_count), 15_000, 'the member count from Telegram');
    assert.ok(count >= premium.bot.memberIds.length, `member count ${count}`);
  });

  test('a group over the plan limit is recorded but paused, with the reason', async () => {
    const extra = [];
    for (let i = 0; i < 5; i++) {
      const chat = rt.sandbox.createGroup({ title: `Extra ${i}`, type: 'group', memberIds: basic.bot.memberIds });
      rt.sandbox.addBotToGroup(basic.bot.telegramBotId, chat.id, {});
      extra.push(chat.id);
    }
    const groups = await eventually(async () => {
      const rows = await rt.api.services.db.withTenant(basic.tenantId, async (tx) => (await tx.query<{ chat_id: number; paused_reason: string | null }>(
        `SELECT chat_id, paused_reason FROM groups WHERE removed_at IS NULL ORDER BY added_at, id`)).rows);
      return rows.length === 6 && rows;
    }, 15_000, 'six groups recorded');
    const paused = groups.filter((g) => g.paused_reason);
    assert.equal(paused.length, 1, 'Basic allows 5 groups');
    assert.equal(paused[0]!.chat_id, extra.at(-1));
    assert.match(paused[0]!.paused_reason!, /Basic plan's limit of 5 groups/);
  });
});

describe('auto-reply and history', () => {
  test('a keyword triggers the reply template, as a reply, through the outbox; history and stats record both', async () => {
    const [user] = premium.bot.memberIds;
    const asked = rt.sandbox.userSendsMessage(user!, premium.bot.groupChatId, 'What is the PRICE of premium?');
    const reply = await eventually(async () => botMessages(premium.bot.groupChatId, premium.bot.telegramBotId).find((m) => m.text?.startsWith('Prices,')), 15_000, 'the auto-reply');
    assert.equal(reply.reply_to_message?.message_id, asked.message_id);
    const history = await eventually(async () => {
      const rows = await historyOf(premium.tenantId);
      return rows.some((r) => r.direction === 'out' && r.status === 'sent') && rows;
    }, 10_000, 'the reply in the history');
    assert.ok(history.some((r) => r.direction === 'in' && r.text === 'What is the PRICE of premium?' && r.user_id === user), 'the question is in the history');
    const stats = await rt.api.services.db.withTenant(premium.tenantId, async (tx) => (await tx.query<{ messages_in: number; messages_out: number; active_users: number }>(
      `SELECT messages_in, messages_out, active_users FROM stats_daily WHERE chat_id = 0`)).rows[0]!);
    assert.ok(stats.messages_in >= 1 && stats.messages_out >= 1 && stats.active_users >= 1, JSON.stringify(stats));
  });

  test('privacy mode: the bot sees commands but not plain group messages', async () => {
    const [user] = basic.bot.memberIds;
    rt.sandbox.userSendsMessage(user!, basic.bot.groupChatId, 'just chatting, the bot should not see this');
    rt.sandbox.userSendsMessage(user!, basic.bot.groupChatId, '/help');
    const rows = await eventually(async () => {
      const r = await historyOf(basic.tenantId);
      return r.some((m) => m.text === '/help') && r;
    }, 15_000, 'the command in the history');
    assert.ok(!rows.some((m) => m.text?.startsWith('just chatting')), 'a privacy-mode bot does not see plain messages');
    assert.equal(rows.find((m) => m.text === '/help')!.kind, 'command');
  });

  test('auto-reply needs Premium: a Basic tenant gets 403 plan_required naming the plan', async () => {
    await assert.rejects(rt.api.services.db.withTenant(basic.tenantId, async (tx) => {
      const reply = await createTemplate(tx, { kind: 'reply', name: 'r', content: 'hi' });
      await createReplyRule(tx, { name: 'r', triggerType: 'keyword', trigger: 'x', caseSensitive: false, scope: 'both', groupIds: [], templateId: reply.id, priority: 1, cooldownUserSeconds: 0, cooldownChatSeconds: 0, enabled: true });
    }), (error: { code: string; details: { requiredPlan: string } }) => error.code === 'plan_required' && error.details.requiredPlan === 'premium');
  });
});

describe('members joining and asking to join', () => {
  test('a join is welcomed once per window, even during a mass join', async () => {
    const people = Array.from({ length: 5 }, (_, i) => rt.sandbox.createUser({ firstName: `Joiner${i}` }));
    for (const person of people) rt.sandbox.userJoins(person.id, premium.bot.groupChatId);
    const welcome = await eventually(async () => botMessages(premium.bot.groupChatId, premium.bot.telegramBotId).find((m) => m.text?.startsWith('Welcome')), 15_000, 'a welcome');
    assert.match(welcome.text!, /^Welcome Joiner0 to /);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(botMessages(premium.bot.groupChatId, premium.bot.telegramBotId).filter((m) => m.text?.startsWith('Welcome')).length, 1);
    const joins = await rt.api.services.db.withTenant(premium.tenantId, async (tx) => (await tx.query<{ joins: number }>(`SELECT joins FROM stats_daily WHERE chat_id = $1`, [premium.bot.groupChatId])).rows[0]!.joins);
    assert.equal(joins, 5);
    const [count, telegramCount] = [
      await rt.api.services.db.withTenant(premium.tenantId, async (tx) => (await tx.query<{ member_count: number }>(`SELECT member_count FROM groups WHERE id = $1`, [premium.groupId])).rows[0]!.member_count),
      await new TelegramClient(premium.bot.token, rt.sandbox.apiRoot).getChatMemberCount(premium.bot.groupChatId),
    ];
    assert.equal(count, telegramCount, 'joins keep the member count in step with Telegram');
  });

  test('a join request gets the invite template privately, then is approved', async () => {
    const person = rt.sandbox.createUser({ firstName: 'Asker' });
    const { userChatId } = rt.sandbox.userRequestsToJoin(person.id, premium.bot.groupChatId, { bio: 'hello' });
    const invite = await eventually(async () => botMessages(userChatId, premium.bot.telegramBotId).find((m) => m.text?.startsWith('Hi Asker')), 15_000, 'the invite DM');
    assert.match(invite.text!, /thanks for asking to join/);
    await eventually(async () => rt.sandbox.calls.list({ botId: premium.bot.telegramBotId, method: 'approveChatJoinRequest' }).some((c) => c.ok), 15_000, 'the approval');
    const approvedAfterInvite = rt.sandbox.calls.list({ botId: premium.bot.telegramBotId }).findIndex((c) => c.method === 'approveChatJoinRequest')
      > rt.sandbox.calls.list({ botId: premium.bot.telegramBotId }).findIndex((c) => c.method === 'sendMessage' && c.messages.some((m) => m.chat.id === userChatId));
    assert.ok(approvedAfterInvite, 'the invite went out before the request was processed');
  });
});

describe('private chats', () => {
  test('/start greets; the person is then reachable; blocking stops that', async () => {
    const person = rt.sandbox.createUser({ firstName: 'Private' });
    rt.sandbox.userStartsBot(person.id, premium.bot.telegramBotId);
    await eventually(async () => botMessages(person.id, premium.bot.telegramBotId).find((m) => m.text?.startsWith('Hello Private')), 15_000, 'the greeting');
    rt.sandbox.userSendsMessage(person.id, person.id, 'how much does it cost?', { botId: premium.bot.telegramBotId });
    await eventually(async () => botMessages(person.id, premium.bot.telegramBotId).find((m) => m.text?.startsWith('Prices')), 15_000, 'the private auto-reply');
    rt.sandbox.userBlocksBot(person.id, premium.bot.telegramBotId);
    const blocked = await eventually(async () => rt.api.services.db.withTenant(premium.tenantId, async (tx) =>
      (await tx.query<{ blocked_at: Date | null }>(`SELECT blocked_at FROM tg_users WHERE user_id = $1`, [person.id])).rows[0]?.blocked_at), 15_000, 'blocked recorded');
    assert.ok(blocked instanceof Date, `blocked_at is a time (${String(blocked)})`);
  });
});

describe('supergroup migration', () => {
  test('the group keeps its row, settings and history under the new id', async () => {
    const [user] = basic.bot.memberIds;
    const oldId = basic.bot.groupChatId;
    const migrated = rt.sandbox.migrateToSupergroup(oldId);
    rt.sandbox.userSendsMessage(user!, migrated.id, '/after_migration');
    const row = await eventually(async () => rt.api.services.db.withTenant(basic.tenantId, async (tx) =>
      (await tx.query<{ id: string; chat_id: number; migrated_from_chat_id: number; type: string }>(`SELECT id, chat_id, migrated_from_chat_id, type FROM groups WHERE migrated_from_chat_id = $1`, [oldId])).rows[0]), 15_000, 'the migrated group');
    assert.equal(row.id, basic.groupId, 'same group');
    assert.equal(row.chat_id, migrated.id);
    assert.equal(row.type, 'supergroup');
    await eventually(async () => (await historyOf(basic.tenantId)).some((m) => m.text === '/after_migration' && m.chat_id === migrated.id), 15_000, 'history continues');
  });
});

describe('Try it', () => {
  test('the tenant writes as a sandbox user and sees the bot’s real answer', async () => {
    const r = await rt.api.request('POST', '/api/try-it/messages', { token: premium.token, body: { text: 'what does it cost?', chat: 'private' } });
    assert.equal(r.status, 200, r.text);
    assert.ok(r.body.replies.some((reply: { text: string }) => reply.text.startsWith('Prices, You')), JSON.stringify(r.body));
    const inGroup = await rt.api.request('POST', '/api/try-it/messages', { token: premium.token, body: { text: 'price please', chat: 'group' } });
    assert.equal(inGroup.status, 200, inGroup.text);
    assert.ok(inGroup.body.replies.some((reply: { text: string }) => reply.text.startsWith('Prices')), JSON.stringify(inGroup.body));
  });

  test('without a connected bot the answer says what to do', async () => {
    const t = await registerTenant(rt.api, 'try');
    const r = await rt.api.request('POST', '/api/try-it/messages', { token: t.token, body: { text: 'hi' } });
    assert.equal(r.status, 409);
    assert.match(r.body.detail, /Connect a bot first/);
  });
});

describe('a revoked token', () => {
  test('parks the session as failed with the reason, marks the bot failed and notifies the tenant — no crash loop', async () => {
    const victim = await rt.tenant({ plan: 'basic' });
    rt.sandbox.revokeToken(victim.bot.telegramBotId);
    const lease = await eventually(async () => rt.api.services.db.withTenant(victim.tenantId, async (tx) =>
      (await tx.query<{ state: string; last_error: string; worker_id: string | null }>(`SELECT state, last_error, worker_id FROM leases`)).rows.find((l) => l.state === 'failed')), 15_000, 'the session parked');
    assert.match(lease.last_error, /rejected the bot token/);
    assert.equal(lease.worker_id, null);
    const bot = await rt.api.services.db.withTenant(victim.tenantId, async (tx) => (await tx.query<{ status: string; status_reason: string }>(`SELECT status, status_reason FROM bots`)).rows[0]!);
    assert.equal(bot.status, 'failed');
    assert.match(bot.status_reason, /connect the bot again/);
    const notices = await rt.api.services.db.withTenant(victim.tenantId, async (tx) => (await tx.query(`SELECT 1 FROM notifications WHERE event = 'bot_failed'`)).rows);
    assert.equal(notices.length, 1);
    await rt.worker.tick();
    assert.ok(!rt.worker.sessions().some((s) => s.tenantId === victim.tenantId), 'not claimed again');
  });
});
