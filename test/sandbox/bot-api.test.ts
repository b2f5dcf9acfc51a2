import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Telegraf } from 'telegraf';
import type { Sandbox } from '../../src/sandbox/index.js';
import { SandboxError } from '../../src/sandbox/index.js';
import { assertTelegramError, botWithUser, grammyBot, openSandbox } from './helpers.js';

describe('Bot API surface', () => {
  let sandbox: Sandbox;
  before(async () => {
    // Flood control has its own suite; here it would only get in the way of bursts of calls.
    // Real time, so the 15-second callback deadline can't expire under a loaded machine.
    sandbox = await openSandbox({ limits: false, timeScale: 1 });
  });
  after(() => sandbox.close());

  test('getMe returns the full bot user, with ids and tokens shaped like Telegram', async () => {
    const created = sandbox.createBot({ username: 'shape_bot', firstName: 'Shape', canReadAllGroupMessages: true });
    assert.match(created.token, /^\d+:[A-Za-z0-9_-]{35}$/);
    assert.ok(created.id > 2 ** 32, 'bot ids exceed 32 bits');
    const me = await grammyBot(sandbox, created.token).api.getMe();
    assert.deepEqual(
      { id: me.id, is_bot: me.is_bot, first_name: me.first_name, username: me.username },
      { id: created.id, is_bot: true, first_name: 'Shape', username: 'shape_bot' },
    );
    assert.equal(me.can_join_groups, true);
    assert.equal(me.can_read_all_group_messages, true);
    assert.equal(me.supports_inline_queries, false);
    const users = [sandbox.createUser({ firstName: 'A' }), sandbox.createUser({ firstName: 'B' })];
    assert.ok(users.some((user) => user.id < 2 ** 31) && users.some((user) => user.id > 2 ** 32));
  });

  test('envelopes and error texts match Telegram', async () => {
    const created = sandbox.createBot({ username: 'envelope_bot' });
    const call = (path: string) => fetch(`${sandbox.apiRoot}${path}`).then(async (response) => [response.status, await response.json()]);
    assert.deepEqual(await call(`/bot${created.token}/getMe`).then(([status]) => status), 200);
    assert.deepEqual(await call(`/bot123:${'x'.repeat(35)}/getMe`), [401, { ok: false, error_code: 401, description: 'Unauthorized' }]);
    assert.deepEqual(await call(`/bot${created.token}/noSuchMethod`), [404, { ok: false, error_code: 404, description: 'Not Found' }]);
    assert.deepEqual(await call(`/botnonsense/getMe`), [404, { ok: false, error_code: 404, description: 'Not Found' }]);
    assert.deepEqual(await call(`/bot${created.token}/GETME`).then(([status]) => status), 200, 'method names are case-insensitive');

    const api = grammyBot(sandbox, created.token).api;
    await assertTelegramError(api.sendMessage(999, 'hi'), 400, 'Bad Request: chat not found');
    const [status, body] = await call(`/bot${created.token}/sendMessage?text=hi`);
    assert.deepEqual([status, body], [400, { ok: false, error_code: 400, description: 'Bad Request: chat_id is empty' }]);
  });

  test('sendMessage validates text the way Telegram does', async () => {
    const { user, bot } = await botWithUser(sandbox, 'text_bot');
    await assertTelegramError(bot.api.sendMessage(user.id, ''), 400, 'Bad Request: message text is empty');
    await assertTelegramError(bot.api.sendMessage(user.id, '   \n '), 400, 'Bad Request: message text is empty');
    await assertTelegramError(bot.api.sendMessage(user.id, 'x'.repeat(4097)), 400, 'Bad Request: message is too long');
    const longest = await bot.api.sendMessage(user.id, 'é'.repeat(4096));
    assert.equal(longest.text.length, 4096);
    await assertTelegramError(
      bot.api.sendMessage(user.id, '<b>bold', { parse_mode: 'HTML' }),
      400,
      "Bad Request: can't parse entities: Can't find end tag corresponding to start tag b",
    );
    await assertTelegramError(
      bot.api.sendMessage(user.id, 'a <blink>b</blink>', { parse_mode: 'HTML' }),
      400,
      'Bad Request: can\'t parse entities: Unsupported start tag "blink" at byte offset 2',
    );
    await assertTelegramError(
      bot.api.sendMessage(user.id, 'Price: 5.00', { parse_mode: 'MarkdownV2' }),
      400,
      "Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\\'",
    );
    const sent = await bot.api.sendMessage(user.id, '<b>Hi</b> &amp; <a href="https://kovan.dev">see</a> /help', {
      parse_mode: 'HTML',
      reply_markup: { inline_keyboard: [[{ text: 'OK', callback_data: 'ok' }]] },
    });
    assert.equal(sent.text, 'Hi & see /help');
    assert.deepEqual(sent.entities, [
      { type: 'bold', offset: 0, length: 2 },
      { type: 'text_link', offset: 5, length: 3, url: 'https://kovan.dev/' },
      { type: 'bot_command', offset: 9, length: 5 },
    ]);
    assert.deepEqual(sent.reply_markup, { inline_keyboard: [[{ text: 'OK', callback_data: 'ok' }]] });
    assert.equal(sent.chat.id, user.id);
    assert.ok(Math.abs(sent.date - Date.now() / 1000) < 5, 'date is in Unix seconds');
    const next = await bot.api.sendMessage(user.id, 'again', { reply_parameters: { message_id: sent.message_id } });
    assert.equal(next.message_id, sent.message_id + 1);
    assert.equal(next.reply_to_message?.message_id, sent.message_id);
    await assertTelegramError(
      bot.api.sendMessage(user.id, 'x', { reply_parameters: { message_id: 9999 } }),
      400,
      'Bad Request: message to be replied not found',
    );
    await assertTelegramError(
      bot.api.sendMessage(user.id, 'x', { reply_markup: { inline_keyboard: [[{ text: 'big', callback_data: 'x'.repeat(65) }]] } }),
      400,
      'Bad Request: BUTTON_DATA_INVALID',
    );
  });

  test('arguments arrive as JSON, url-encoded form, multipart form or query string, by GET or POST', async () => {
    const { created, user } = await botWithUser(sandbox, 'encoding_bot');
    const url = `${sandbox.apiRoot}/bot${created.token}/sendMessage`;
    const markup = JSON.stringify({ inline_keyboard: [[{ text: 'A', callback_data: 'a' }]] });
    const form = new FormData();
    form.set('chat_id', String(user.id));
    form.set('text', 'multipart');
    form.set('reply_markup', markup);
    const responses = await Promise.all([
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ chat_id: user.id, text: 'json' }) }),
      fetch(url, { method: 'POST', body: new URLSearchParams({ chat_id: String(user.id), text: 'form', reply_markup: markup }) }),
      fetch(url, { method: 'POST', body: form }),
      fetch(`${url}?chat_id=${user.id}&text=query`),
      fetch(`${url}?chat_id=${user.id}`, { method: 'POST', body: new URLSearchParams({ text: 'mixed' }) }),
    ]);
    const texts = await Promise.all(responses.map(async (response) => ((await response.json()) as { result: { text: string } }).result.text));
    assert.deepEqual(texts.sort(), ['form', 'json', 'mixed', 'multipart', 'query']);
    const calls = sandbox.calls.list({ botId: created.id, method: 'sendMessage' });
    assert.equal(calls.length, 5);
    assert.ok(calls.every((call) => call.ok));
  });

  test('telegraf, the second client, talks to the sandbox unchanged', async () => {
    const { created, user } = await botWithUser(sandbox, 'telegraf_bot');
    const telegraf = new Telegraf(created.token, { telegram: { apiRoot: sandbox.apiRoot } });
    const me = await telegraf.telegram.getMe();
    assert.equal(me.username, 'telegraf_bot');
    const sent = await telegraf.telegram.sendMessage(user.id, '*bold*', { parse_mode: 'MarkdownV2' });
    assert.equal(sent.text, 'bold');
    assert.deepEqual(sent.entities, [{ type: 'bold', offset: 0, length: 4 }]);
    await assert.rejects(telegraf.telegram.sendMessage(424242, 'x'), /400: Bad Request: chat not found/);
    const edited = await telegraf.telegram.editMessageText(user.id, sent.message_id, undefined, 'edited');
    assert.ok(typeof edited === 'object' && 'text' in edited && edited.text === 'edited');
    assert.deepEqual(sandbox.sentMessages({ botId: created.id, chatId: user.id }).map((message) => message.text), ['bold']);
  });

  test('editMessageText, deleteMessage, copyMessage and forwardMessage', async () => {
    const { user, bot } = await botWithUser(sandbox, 'editing_bot');
    const sent = await bot.api.sendMessage(user.id, 'first');
    const edited = await bot.api.editMessageText(user.id, sent.message_id, 'second');
    assert.ok(edited !== true && 'text' in edited && edited.text === 'second' && typeof edited.edit_date === 'number');
    await assertTelegramError(
      bot.api.editMessageText(user.id, sent.message_id, 'second'),
      400,
      'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
    );
    const copy = await bot.api.copyMessage(user.id, user.id, sent.message_id);
    assert.deepEqual(Object.keys(copy), ['message_id']);
    const forwarded = await bot.api.forwardMessage(user.id, user.id, sent.message_id);
    assert.equal(forwarded.forward_origin?.type, 'user');
    assert.equal(await bot.api.deleteMessage(user.id, sent.message_id), true);
    await assertTelegramError(bot.api.deleteMessage(user.id, sent.message_id), 400, 'Bad Request: message to delete not found');
    await assertTelegramError(bot.api.editMessageText(user.id, 4242, 'x'), 400, 'Bad Request: message to edit not found');
  });

  test('a bot cannot write first, and a blocked bot gets 403', async () => {
    const created = sandbox.createBot({ username: 'lonely_bot' });
    const user = sandbox.createUser({ firstName: 'Grace' });
    const bot = grammyBot(sandbox, created.token);
    await assertTelegramError(bot.api.sendMessage(user.id, 'hi'), 400, 'Bad Request: chat not found');
    sandbox.userStartsBot(user.id, created.id);
    await bot.api.sendMessage(user.id, 'welcome');
    sandbox.userBlocksBot(user.id, created.id);
    await assertTelegramError(bot.api.sendMessage(user.id, 'hello?'), 403, 'Forbidden: bot was blocked by the user');
    const updates = await bot.api.getUpdates();
    const statuses = updates.flatMap((update) => (update.my_chat_member ? [update.my_chat_member.new_chat_member.status] : []));
    assert.deepEqual(statuses, ['kicked']);
    sandbox.userUnblocksBot(user.id, created.id);
    await bot.api.sendMessage(user.id, 'back');

    const stranger = sandbox.createUser({ firstName: 'Known' });
    const group = sandbox.createGroup({ title: 'Met', type: 'group', memberIds: [stranger.id] });
    sandbox.addBotToGroup(created.id, group.id, { admin: true });
    sandbox.userSendsMessage(stranger.id, group.id, 'hello all');
    await assertTelegramError(bot.api.sendMessage(stranger.id, 'hi'), 403, "Forbidden: bot can't initiate conversation with a user");
  });

  test('revoking a token makes it answer 401 and logs the attempt', async () => {
    const created = sandbox.createBot({ username: 'revoked_bot' });
    const renewed = sandbox.revokeToken(created.id);
    assert.notEqual(renewed.token, created.token);
    await assertTelegramError(grammyBot(sandbox, created.token).api.getMe(), 401, 'Unauthorized');
    assert.equal((await grammyBot(sandbox, renewed.token).api.getMe()).id, created.id);
    const [rejected] = sandbox.calls.list({ botId: created.id, method: 'getMe' });
    assert.equal(rejected?.errorCode, 401);
  });

  test('getChat, getChatMember, getChatAdministrators, getChatMemberCount, commands', async () => {
    const { created, user, bot } = await botWithUser(sandbox, 'info_bot');
    const privateChat = await bot.api.getChat(user.id);
    assert.equal(privateChat.type, 'private');
    const owner = sandbox.createUser({ firstName: 'Owner' });
    const group = sandbox.createGroup({ title: 'Info', type: 'supergroup', memberIds: [owner.id, user.id] });
    sandbox.addBotToGroup(created.id, group.id, { admin: true });
    sandbox.setSlowMode(group.id, 30);
    const chat = await bot.api.getChat(group.id);
    assert.equal(chat.type, 'supergroup');
    assert.equal(chat.title, 'Info');
    assert.equal(chat.slow_mode_delay, 30);
    assert.equal(chat.permissions?.can_send_messages, true);
    assert.equal((await bot.api.getChatMember(group.id, owner.id)).status, 'creator');
    assert.equal((await bot.api.getChatMember(group.id, user.id)).status, 'member');
    assert.equal((await bot.api.getChatMember(group.id, created.id)).status, 'administrator');
    assert.deepEqual((await bot.api.getChatAdministrators(group.id)).map((member) => member.user.id).sort(), [owner.id, created.id].sort());
    assert.equal(await bot.api.getChatMemberCount(group.id), 3);
    await bot.api.setMyCommands([{ command: 'start', description: 'Start' }]);
    assert.deepEqual(await bot.api.getMyCommands(), [{ command: 'start', description: 'Start' }]);
    await assertTelegramError(bot.api.setMyCommands([{ command: 'Bad Command', description: 'x' }]), 400, 'Bad Request: BOT_COMMAND_INVALID');
  });

  test('a user presses an inline button and sees the answer', async () => {
    const { created, user, bot } = await botWithUser(sandbox, 'button_bot');
    const question = await bot.api.sendMessage(user.id, 'Ready?', {
      reply_markup: { inline_keyboard: [[{ text: 'Yes', callback_data: 'yes' }]] },
    });
    const press = sandbox.userPressesButton(user.id, created.id, question.message_id, 'yes');
    const [update] = await bot.api.getUpdates();
    assert.equal(update?.callback_query?.data, 'yes');
    assert.equal(update?.callback_query?.message?.message_id, question.message_id);
    await bot.api.answerCallbackQuery(press.callbackQueryId, { text: 'Noted' });
    assert.deepEqual(await press.answer, { showAlert: false, text: 'Noted' });
    await assertTelegramError(
      bot.api.answerCallbackQuery(press.callbackQueryId),
      400,
      'Bad Request: query is too old and response timeout expired or query ID is invalid',
    );
    assert.throws(() => sandbox.userPressesButton(user.id, created.id, question.message_id, 'no'), SandboxError);
  });
});
