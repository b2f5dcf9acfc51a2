import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Update } from 'grammy/types';
import type { Sandbox } from '../../src/sandbox/index.js';
import { SandboxError } from '../../src/sandbox/index.js';
import { assertTelegramError, grammyBot, openSandbox } from './helpers.js';

/** Texts of the messages an update batch carries. */
function texts(updates: Update[]): string[] {
  return updates.flatMap((update) => (update.message?.text === undefined ? [] : [update.message.text]));
}

describe('groups', () => {
  let sandbox: Sandbox;
  before(async () => {
    // A 5-minute join-request window lasts 600 ms here.
    sandbox = await openSandbox({ limits: false, timeScale: 0.002 });
  });
  after(() => sandbox.close());

  /** Drains a bot's queue and returns what was in it. */
  async function drain(token: string): Promise<Update[]> {
    const api = grammyBot(sandbox, token).api;
    const updates = await api.getUpdates();
    const last = updates.at(-1);
    if (last) await api.getUpdates({ offset: last.update_id + 1 });
    return updates;
  }

  test('privacy mode: what each bot in a group receives', async () => {
    const owner = sandbox.createUser({ firstName: 'Owner' });
    const user = sandbox.createUser({ firstName: 'Talker' });
    const group = sandbox.createGroup({ title: 'Privacy', type: 'supergroup', memberIds: [owner.id, user.id] });
    const shy = sandbox.createBot({ username: 'shy_bot' });
    const open = sandbox.createBot({ username: 'open_bot', canReadAllGroupMessages: true });
    const admin = sandbox.createBot({ username: 'boss_bot' });
    sandbox.addBotToGroup(shy.id, group.id);
    sandbox.addBotToGroup(open.id, group.id);
    sandbox.addBotToGroup(admin.id, group.id, { admin: true });
    for (const bot of [shy, open, admin]) await drain(bot.token);

    const shyMessage = await grammyBot(sandbox, shy.token).api.sendMessage(group.id, 'I am shy');
    for (const text of ['just chatting', '/help', '/help@shy_bot', '/help@open_bot', 'hey @shy_bot']) {
      sandbox.userSendsMessage(user.id, group.id, text);
    }
    sandbox.userSendsMessage(user.id, group.id, 'replying to the shy bot', { replyToMessageId: shyMessage.message_id });
    const newcomer = sandbox.createUser({ firstName: 'New' });
    sandbox.userJoins(newcomer.id, group.id);

    const everything = ['just chatting', '/help', '/help@shy_bot', '/help@open_bot', 'hey @shy_bot', 'replying to the shy bot'];
    const shyUpdates = await drain(shy.token);
    assert.deepEqual(texts(shyUpdates), ['/help', '/help@shy_bot', 'hey @shy_bot', 'replying to the shy bot']);
    assert.ok(shyUpdates.some((update) => update.message?.new_chat_members?.[0]?.id === newcomer.id), 'service messages reach it');
    assert.deepEqual(texts(await drain(open.token)), everything, 'privacy off: everything');
    assert.deepEqual(texts(await drain(admin.token)), everything, 'admins: everything');
    const bots = sandbox.sentMessages({ chatId: group.id });
    assert.equal(bots.length, 1, "bots never see each other's messages");
  });

  test('adding, promoting and removing a bot: my_chat_member, service message, 403 afterwards', async () => {
    const owner = sandbox.createUser({ firstName: 'Owner' });
    const created = sandbox.createBot({ username: 'member_bot' });
    const bot = grammyBot(sandbox, created.token);
    for (const type of ['group', 'supergroup'] as const) {
      const group = sandbox.createGroup({ title: `A ${type}`, type, memberIds: [owner.id] });
      sandbox.addBotToGroup(created.id, group.id);
      sandbox.promoteBot(created.id, group.id);
      const updates = await drain(created.token);
      const changes = updates.flatMap((update) => (update.my_chat_member ? [update.my_chat_member] : []));
      assert.deepEqual(changes.map((change) => [change.old_chat_member.status, change.new_chat_member.status]), [
        ['left', 'member'],
        ['member', 'administrator'],
      ]);
      assert.equal(changes[0]?.from.id, owner.id);
      assert.equal(updates.find((update) => update.message)?.message?.new_chat_members?.[0]?.id, created.id);
      await bot.api.sendMessage(group.id, 'hello group');
      sandbox.removeBotFromGroup(created.id, group.id);
      const [kicked] = await drain(created.token);
      assert.equal(kicked?.my_chat_member?.new_chat_member.status, 'kicked');
      const kind = type === 'group' ? 'group chat' : 'supergroup chat';
      await assertTelegramError(bot.api.sendMessage(group.id, 'still here?'), 403, `Forbidden: bot was kicked from the ${kind}`);
    }
    const group = sandbox.createGroup({ title: 'Leaving', type: 'supergroup', memberIds: [owner.id] });
    sandbox.addBotToGroup(created.id, group.id);
    assert.equal(await bot.api.leaveChat(group.id), true);
    await assertTelegramError(bot.api.sendMessage(group.id, 'x'), 403, 'Forbidden: bot is not a member of the supergroup chat');
  });

  test('a join request lets the bot write to the user for 5 minutes or until it is handled', async () => {
    const owner = sandbox.createUser({ firstName: 'Owner' });
    const group = sandbox.createGroup({ title: 'Gated', type: 'supergroup', memberIds: [owner.id] });
    const gatekeeper = sandbox.createBot({ username: 'gate_bot' });
    const helper = sandbox.createBot({ username: 'no_invite_bot' });
    sandbox.addBotToGroup(gatekeeper.id, group.id, { admin: true });
    sandbox.addBotToGroup(helper.id, group.id, { admin: true, canInviteUsers: false });
    const bot = grammyBot(sandbox, gatekeeper.token);
    await drain(gatekeeper.token);
    await drain(helper.token);

    const link = await bot.api.createChatInviteLink(group.id, { name: 'gate', creates_join_request: true });
    assert.match(link.invite_link, /^https:\/\/t\.me\/\+/);
    const applicant = sandbox.createUser({ firstName: 'Applicant' });
    sandbox.userRequestsToJoin(applicant.id, group.id, { inviteLink: link.invite_link, bio: 'hi' });
    const [update] = await drain(gatekeeper.token);
    const request = update?.chat_join_request;
    assert.equal(request?.user_chat_id, applicant.id);
    assert.equal(request?.invite_link?.invite_link, link.invite_link);
    assert.equal(request?.bio, 'hi');
    assert.deepEqual(await drain(helper.token), [], 'bots without can_invite_users are not asked');

    await bot.api.sendMessage(applicant.id, 'Please answer a question first');
    await bot.api.approveChatJoinRequest(group.id, applicant.id);
    assert.equal((await bot.api.getChatMember(group.id, applicant.id)).status, 'member');
    await assertTelegramError(
      bot.api.sendMessage(applicant.id, 'one more thing'),
      403,
      "Forbidden: bot can't initiate conversation with a user",
    );
    await assertTelegramError(bot.api.approveChatJoinRequest(group.id, applicant.id), 400, 'Bad Request: HIDE_REQUESTER_MISSING');

    const late = sandbox.createUser({ firstName: 'Late' });
    sandbox.userRequestsToJoin(late.id, group.id);
    await bot.api.sendMessage(late.id, 'within the window');
    await new Promise((resolve) => setTimeout(resolve, 650));
    await assertTelegramError(bot.api.sendMessage(late.id, 'too late'), 403, "Forbidden: bot can't initiate conversation with a user");
    assert.equal(await bot.api.declineChatJoinRequest(group.id, late.id), true);
  });

  test('migration to a supergroup: service messages and 400 with migrate_to_chat_id on the old id', async () => {
    const owner = sandbox.createUser({ firstName: 'Owner' });
    const group = sandbox.createGroup({ title: 'Growing', type: 'group', memberIds: [owner.id] });
    const created = sandbox.createBot({ username: 'migrant_bot' });
    sandbox.addBotToGroup(created.id, group.id);
    const bot = grammyBot(sandbox, created.token);
    await drain(created.token);

    const supergroup = sandbox.migrateToSupergroup(group.id);
    assert.match(String(supergroup.id), /^-100\d+$/);
    const updates = await drain(created.token);
    assert.deepEqual(
      updates.map((update) => [update.message?.chat.id, update.message?.migrate_to_chat_id ?? update.message?.migrate_from_chat_id]),
      [
        [group.id, supergroup.id],
        [supergroup.id, group.id],
      ],
    );
    await assertTelegramError(bot.api.sendMessage(group.id, 'old id'), 400, 'Bad Request: group chat was upgraded to a supergroup chat', {
      migrate_to_chat_id: supergroup.id,
    });
    const sent = await bot.api.sendMessage(supergroup.id, 'new id');
    assert.equal(sent.chat.type, 'supergroup');
    assert.throws(() => sandbox.userSendsMessage(owner.id, group.id, 'x'), SandboxError);
  });

  test('admin bots ban, unban and restrict', async () => {
    const owner = sandbox.createUser({ firstName: 'Owner' });
    const member = sandbox.createUser({ firstName: 'Member' });
    const group = sandbox.createGroup({ title: 'Moderated', type: 'supergroup', memberIds: [owner.id, member.id] });
    const moderator = sandbox.createBot({ username: 'mod_bot' });
    sandbox.addBotToGroup(moderator.id, group.id, { admin: true });
    const bot = grammyBot(sandbox, moderator.token);
    await drain(moderator.token);

    await bot.api.restrictChatMember(group.id, member.id, { can_send_messages: false });
    assert.equal((await bot.api.getChatMember(group.id, member.id)).status, 'restricted');
    assert.throws(() => sandbox.userSendsMessage(member.id, group.id, 'muted'), SandboxError);
    await bot.api.banChatMember(group.id, member.id);
    assert.equal((await bot.api.getChatMember(group.id, member.id)).status, 'kicked');
    assert.throws(() => sandbox.userJoins(member.id, group.id), SandboxError);
    await bot.api.unbanChatMember(group.id, member.id, { only_if_banned: true });
    assert.equal((await bot.api.getChatMember(group.id, member.id)).status, 'left');
    await assertTelegramError(bot.api.banChatMember(group.id, owner.id), 400, "Bad Request: can't remove chat owner");

  });
});
