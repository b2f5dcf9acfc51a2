import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { webhookCallback } from 'grammy';
import type { Sandbox } from '../../src/sandbox/index.js';
import { assertTelegramError, botWithUser, closeServer, eventually, grammyBot, openSandbox, startWebhookReceiver } from './helpers.js';

describe('webhooks', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await openSandbox({ limits: false });
  });
  after(() => sandbox.close());

  test("grammY's webhookCallback, secret token included, serves a bot end to end", async () => {
    const created = sandbox.createBot({ username: 'hooked_bot' });
    const user = sandbox.createUser({ firstName: 'Hedy' });
    const bot = grammyBot(sandbox, created.token);
    bot.on('message:text', (ctx) => ctx.reply(`got ${ctx.message.text}`));
    const server = createServer(webhookCallback(bot, 'http', { secretToken: 'top_secret-1' }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const answer = await fetch(`${sandbox.apiRoot}/bot${created.token}/setWebhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url, secret_token: 'top_secret-1' }),
      }).then((response) => response.json());
      assert.deepEqual(answer, { ok: true, result: true, description: 'Webhook was set' });
      sandbox.userSendsMessage(user.id, created.id, 'hello');
      await eventually(() => sandbox.sentMessages({ botId: created.id }).length === 1);
      assert.equal(sandbox.sentMessages({ botId: created.id })[0]?.text, 'got hello');
      await eventually(async () => (await bot.api.getWebhookInfo()).pending_update_count === 0);
      const info = await bot.api.getWebhookInfo();
      assert.equal(info.url, url);
      assert.equal(info.max_connections, 40);
      assert.equal(info.has_custom_certificate, false);
      assert.equal(info.last_error_date, undefined);
    } finally {
      await bot.api.deleteWebhook();
      await closeServer(server);
    }
  });

  test('setWebhook answers like Telegram and checks secret_token', async () => {
    // setWebhook's one-per-second rule at 0.2 s: wide enough to hit reliably, short to wait out.
    const slower = await openSandbox({ limits: false, timeScale: 0.2 });
    const { created, bot } = await botWithUser(slower, 'setting_bot');
    const receiver = await startWebhookReceiver(() => ({ status: 200 }));
    const setWebhook = (body: Record<string, unknown>) =>
      fetch(`${slower.apiRoot}/bot${created.token}/setWebhook`, { method: 'POST', body: new URLSearchParams(body as Record<string, string>) })
        .then((response) => response.json());
    try {
      await assertTelegramError(
        bot.api.setWebhook(receiver.url, { secret_token: 'no spaces!' }),
        400,
        'Bad Request: secret token contains unallowed characters',
      );
      // Telegram allows one setWebhook with a URL per (here: scaled) second, failed ones included.
      await assertTelegramError(bot.api.setWebhook(receiver.url), 429, 'Too Many Requests: retry after 1', { retry_after: 1 });
      await new Promise((resolve) => setTimeout(resolve, 210));
      await assertTelegramError(bot.api.setWebhook('not a url'), 400, 'Bad Request: invalid webhook URL specified');
      await new Promise((resolve) => setTimeout(resolve, 210));
      assert.deepEqual(await setWebhook({ url: receiver.url }), { ok: true, result: true, description: 'Webhook was set' });
      await new Promise((resolve) => setTimeout(resolve, 210));
      assert.deepEqual(await setWebhook({ url: receiver.url }), { ok: true, result: true, description: 'Webhook is already set' });
      const deleted = await fetch(`${slower.apiRoot}/bot${created.token}/deleteWebhook`).then((response) => response.json());
      assert.deepEqual(deleted, { ok: true, result: true, description: 'Webhook was deleted' });
      const again = await fetch(`${slower.apiRoot}/bot${created.token}/deleteWebhook`).then((response) => response.json());
      assert.deepEqual(again, { ok: true, result: true, description: 'Webhook is already deleted' });
    } finally {
      await receiver.close();
      await slower.close();
    }
  });

  test('a failed delivery is retried, reported by getWebhookInfo, and the header carries the secret', async () => {
    const { created, user, bot } = await botWithUser(sandbox, 'flaky_hook_bot');
    const receiver = await startWebhookReceiver((_hit, index) => ({ status: index < 2 ? 500 : 200 }));
    try {
      await bot.api.setWebhook(receiver.url, { secret_token: 'shh' });
      sandbox.userSendsMessage(user.id, created.id, 'retry me');
      await receiver.answered(2);
      const failing = await bot.api.getWebhookInfo();
      assert.equal(failing.pending_update_count, 1);
      assert.equal(failing.last_error_message, 'Wrong response from the webhook: 500 Internal Server Error');
      assert.ok(typeof failing.last_error_date === 'number' && Math.abs(failing.last_error_date - Date.now() / 1000) < 5);
      await receiver.answered(3);
      await eventually(async () => (await bot.api.getWebhookInfo()).pending_update_count === 0);
      const ids = receiver.hits.map((hit) => hit.update.update_id);
      assert.equal(new Set(ids).size, 1, 'the same update, redelivered');
      assert.ok(receiver.hits.every((hit) => hit.headers['x-telegram-bot-api-secret-token'] === 'shh'));
      assert.equal(receiver.hits[0]?.headers['content-type'], 'application/json');
    } finally {
      await bot.api.deleteWebhook();
      await receiver.close();
    }
  });

  test('a webhook that answers too slowly counts as failed: "Read timeout expired"', async () => {
    const { created, user, bot } = await botWithUser(sandbox, 'slow_hook_bot');
    // The webhook timeout is 60 s scaled to 600 ms here.
    const receiver = await startWebhookReceiver((_hit, index) => ({ status: 200, delayMs: index === 0 ? 800 : 0 }));
    try {
      await bot.api.setWebhook(receiver.url);
      sandbox.userSendsMessage(user.id, created.id, 'slowly');
      await eventually(async () => (await bot.api.getWebhookInfo()).last_error_message === 'Read timeout expired');
      await receiver.answered(2);
      await eventually(async () => (await bot.api.getWebhookInfo()).pending_update_count === 0);
    } finally {
      await bot.api.deleteWebhook();
      await receiver.close();
    }
  });

  test('updates of one chat go one at a time and in order; other chats go in parallel', async () => {
    const created = sandbox.createBot({ username: 'ordered_hook_bot' });
    const bot = grammyBot(sandbox, created.token);
    const alice = sandbox.createUser({ firstName: 'Alice' });
    const bob = sandbox.createUser({ firstName: 'Bob' });
    const events: string[] = [];
    const receiver = await startWebhookReceiver((hit) => {
      const text = hit.update.message?.text ?? '';
      events.push(`start ${text}`);
      setTimeout(() => events.push(`end ${text}`), 40);
      return { status: 200, delayMs: 50 };
    });
    try {
      for (const [user, prefix] of [[alice, 'a'], [bob, 'b']] as const) {
        for (const n of [1, 2, 3]) sandbox.userSendsMessage(user.id, created.id, `${prefix}${n}`);
      }
      await bot.api.setWebhook(receiver.url);
      await receiver.answered(6);
      for (const prefix of ['a', 'b']) {
        const mine = events.filter((event) => event.endsWith(`${prefix}1`) || event.endsWith(`${prefix}2`) || event.endsWith(`${prefix}3`));
        assert.deepEqual(mine, [`start ${prefix}1`, `end ${prefix}1`, `start ${prefix}2`, `end ${prefix}2`, `start ${prefix}3`, `end ${prefix}3`]);
      }
      assert.ok(events.indexOf('start b1') < events.indexOf('end a1'), 'the second chat does not wait for the first');
    } finally {
      await bot.api.deleteWebhook();
      await receiver.close();
    }
  });

  test('a method in the webhook response is executed for the bot, and drop_pending_updates drops', async () => {
    const { created, user, bot } = await botWithUser(sandbox, 'reply_hook_bot');
    const receiver = await startWebhookReceiver((hit) => ({
      status: 200,
      body: { method: 'sendMessage', chat_id: hit.update.message?.chat.id, text: 'answered in the response' },
    }));
    try {
      sandbox.userSendsMessage(user.id, created.id, 'stale');
      await bot.api.setWebhook(receiver.url, { drop_pending_updates: true });
      sandbox.userSendsMessage(user.id, created.id, 'fresh');
      await eventually(() => sandbox.sentMessages({ botId: created.id }).length === 1);
      assert.deepEqual(receiver.hits.map((hit) => hit.update.message?.text), ['fresh']);
      assert.equal(sandbox.sentMessages({ botId: created.id })[0]?.text, 'answered in the response');
    } finally {
      await bot.api.deleteWebhook();
      await receiver.close();
    }
  });
});
