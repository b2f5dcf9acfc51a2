import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Sandbox } from '../../src/sandbox/index.js';
import { assertTelegramError, botWithUser, eventually, grammyBot, openSandbox, startWebhookReceiver } from './helpers.js';

describe('getUpdates', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await openSandbox({ limits: false });
  });
  after(() => sandbox.close());

  test('offset confirms updates, limit caps a batch, a negative offset keeps only the newest', async () => {
    const { created, user, bot } = await botWithUser(sandbox, 'offset_bot');
    for (const text of ['one', 'two', 'three', 'four']) sandbox.userSendsMessage(user.id, created.id, text);
    const all = await bot.api.getUpdates();
    assert.deepEqual(all.map((update) => update.message?.text), ['one', 'two', 'three', 'four']);
    assert.deepEqual(
      all.map((update) => update.update_id),
      all.map((_, index) => (all[0]?.update_id ?? 0) + index),
      'update ids increase one by one',
    );
    assert.equal((await bot.api.getUpdates()).length, 4, 'reading does not confirm');
    const first = all[0]?.update_id ?? 0;
    assert.deepEqual((await bot.api.getUpdates({ offset: first + 1 })).map((update) => update.message?.text), ['two', 'three', 'four']);
    assert.deepEqual((await bot.api.getUpdates({ limit: 1 })).map((update) => update.message?.text), ['two'], 'confirmed ones are gone');
    assert.deepEqual((await bot.api.getUpdates({ offset: -1 })).map((update) => update.message?.text), ['four']);
    assert.deepEqual((await bot.api.getUpdates()).map((update) => update.message?.text), ['four'], 'a negative offset forgets the rest');
  });

  test('a long poll returns as soon as an update arrives, and empty when its timeout ends', async () => {
    const { created, user, bot } = await botWithUser(sandbox, 'long_poll_bot');
    const startedAt = Date.now();
    // A timeout far beyond any slowness of a busy machine: answering before it can only be the update's doing.
    const poll = bot.api.getUpdates({ timeout: 60 });
    setTimeout(() => sandbox.userSendsMessage(user.id, created.id, 'ping'), 50);
    const updates = await poll;
    assert.equal(updates[0]?.message?.text, 'ping');
    assert.ok(Date.now() - startedAt < 45_000, 'answered long before the timeout');

    const idleStart = Date.now();
    assert.deepEqual(await bot.api.getUpdates({ offset: (updates[0]?.update_id ?? 0) + 1, timeout: 1 }), []);
    assert.ok(Date.now() - idleStart >= 950, 'an idle poll waits for its timeout');
  });

  test('allowed_updates is remembered between calls and filters updates when they are created', async () => {
    const { created, user, bot } = await botWithUser(sandbox, 'allowed_bot');
    assert.deepEqual(await bot.api.getUpdates({ allowed_updates: ['callback_query'] }), []);
    sandbox.userSendsMessage(user.id, created.id, 'not wanted');
    assert.deepEqual(await bot.api.getUpdates(), [], 'the subscription outlives the call that set it');
    assert.deepEqual((await bot.api.getWebhookInfo()).allowed_updates, ['callback_query']);
    await bot.api.getUpdates({ allowed_updates: [] });
    sandbox.userSendsMessage(user.id, created.id, 'wanted');
    assert.deepEqual((await bot.api.getUpdates()).map((update) => update.message?.text), ['wanted'], '[] restores the default');
  });

  test('chat_member must be asked for, and only admin bots get it', async () => {
    const admin = sandbox.createBot({ username: 'watcher_bot' });
    const plain = sandbox.createBot({ username: 'bystander_bot' });
    const owner = sandbox.createUser({ firstName: 'Owner' });
    const group = sandbox.createGroup({ title: 'Club', type: 'supergroup', memberIds: [owner.id] });
    sandbox.addBotToGroup(admin.id, group.id, { admin: true });
    sandbox.addBotToGroup(plain.id, group.id);
    const adminApi = grammyBot(sandbox, admin.token).api;
    const plainApi = grammyBot(sandbox, plain.token).api;
    await adminApi.getUpdates({ offset: -1 });
    await plainApi.getUpdates({ offset: -1, allowed_updates: ['message', 'chat_member'] });

    const first = sandbox.createUser({ firstName: 'First' });
    sandbox.userJoins(first.id, group.id);
    const byDefault = (await adminApi.getUpdates({ offset: -1 })).concat(await adminApi.getUpdates());
    assert.ok(byDefault.every((update) => update.chat_member === undefined), 'not without asking');
    assert.ok(byDefault.some((update) => update.message?.new_chat_members?.[0]?.id === first.id), 'the service message still arrives');

    await adminApi.getUpdates({ offset: -1, allowed_updates: ['message', 'chat_member'] });
    const second = sandbox.createUser({ firstName: 'Second' });
    sandbox.userJoins(second.id, group.id);
    const updates = await adminApi.getUpdates();
    const change = updates.find((update) => update.chat_member)?.chat_member;
    assert.equal(change?.new_chat_member.user.id, second.id);
    assert.deepEqual([change?.old_chat_member.status, change?.new_chat_member.status], ['left', 'member']);
    assert.ok((await plainApi.getUpdates()).every((update) => update.chat_member === undefined), 'non-admins never get chat_member');
  });

  test('a second long poll terminates the older one with 409, as Telegram does', async () => {
    const { created, user, bot } = await botWithUser(sandbox, 'twin_bot');
    const older = bot.api.getUpdates({ timeout: 10 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const newer = grammyBot(sandbox, created.token).api.getUpdates({ timeout: 10 });
    await assertTelegramError(older, 409, 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running');
    sandbox.userSendsMessage(user.id, created.id, 'for the newer poll');
    assert.equal((await newer)[0]?.message?.text, 'for the newer poll');
  });

  test('getUpdates conflicts with an active webhook; setWebhook ends a waiting poll', async () => {
    const { bot } = await botWithUser(sandbox, 'hooked_poll_bot');
    const receiver = await startWebhookReceiver(() => ({ status: 200 }));
    try {
      const waiting = bot.api.getUpdates({ timeout: 10 });
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(await bot.api.setWebhook(receiver.url), true);
      await assertTelegramError(waiting, 409, 'Conflict: terminated by setWebhook request');
      await assertTelegramError(
        bot.api.getUpdates(),
        409,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      );
      await bot.api.deleteWebhook();
      assert.deepEqual(await bot.api.getUpdates(), []);
    } finally {
      await receiver.close();
    }
  });

  test("grammY's own long polling (bot.start) runs a bot end to end", async () => {
    const created = sandbox.createBot({ username: 'polling_bot' });
    const user = sandbox.createUser({ firstName: 'Linus' });
    const bot = grammyBot(sandbox, created.token);
    bot.command('start', (ctx) => ctx.reply(`Hello ${ctx.from?.first_name}, payload ${ctx.match}`));
    bot.on('message:text', (ctx) => ctx.reply(`echo: ${ctx.message.text}`));
    const running = bot.start({ timeout: 1 });
    sandbox.userStartsBot(user.id, created.id, 'promo');
    sandbox.userSendsMessage(user.id, created.id, 'hi there');
    await eventually(() => sandbox.sentMessages({ botId: created.id }).length === 2);
    await bot.stop();
    await running;
    assert.deepEqual(sandbox.sentMessages({ botId: created.id }).map((message) => message.text), ['Hello Linus, payload promo', 'echo: hi there']);
    assert.deepEqual(
      sandbox.chatMessages(user.id, created.id).map((message) => `${message.from?.is_bot ? 'bot' : 'user'}: ${message.text}`),
      ['user: /start promo', 'user: hi there', 'bot: Hello Linus, payload promo', 'bot: echo: hi there'],
    );
  });
});
