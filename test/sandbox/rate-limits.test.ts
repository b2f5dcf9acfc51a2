import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { GrammyError, HttpError } from 'grammy';
import type { RateLimits, Sandbox } from '../../src/sandbox/index.js';
import { assertTelegramError, botWithUser, grammyBot, openSandbox } from './helpers.js';

/** Generous limits, so a test can tighten exactly the one it is about. */
const loose: RateLimits = { perBotPerSecond: 1000, paidBroadcastPerSecond: 1000, perChatPerSecond: 1000, perChatBurst: 1000, perGroupPerMinute: 1000 };

/** Asserts a 429 with a retry_after in the given range; returns it. */
async function expectFlood(call: Promise<unknown>, min: number, max: number): Promise<number> {
  let retryAfter = 0;
  await assert.rejects(call, (error: unknown) => {
    assert.ok(error instanceof GrammyError);
    assert.equal(error.error_code, 429);
    retryAfter = error.parameters.retry_after ?? 0;
    assert.equal(error.description, `Too Many Requests: retry after ${retryAfter}`);
    return true;
  });
  assert.ok(retryAfter >= min && retryAfter <= max, `retry_after ${retryAfter} not in [${min}, ${max}]`);
  return retryAfter;
}

describe('flood control', () => {
  const sandboxes: Sandbox[] = [];
  after(() => Promise.all(sandboxes.map((sandbox) => sandbox.close())));
  async function sandboxWith(limits: Partial<RateLimits>, timeScale: number): Promise<Sandbox> {
    const sandbox = await openSandbox({ limits: { ...loose, ...limits }, timeScale });
    sandboxes.push(sandbox);
    return sandbox;
  }

  test('per chat: a short burst passes, then 429 until a slot frees', async () => {
    // One Telegram second lasts 500 ms here: long enough that a slow machine can't blur the burst.
    const sandbox = await sandboxWith({ perChatPerSecond: 1, perChatBurst: 3 }, 0.5);
    const { user, bot } = await botWithUser(sandbox, 'chatty_bot');
    for (const n of [1, 2, 3]) await bot.api.sendMessage(user.id, `burst ${n}`);
    const retryAfter = await expectFlood(bot.api.sendMessage(user.id, 'one too many'), 1, 1);
    assert.equal(sandbox.rateLimitHits, 1);
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 * sandbox.timeScale));
    await bot.api.sendMessage(user.id, 'after waiting');
    assert.equal(sandbox.sentMessages().length, 4, 'refused messages are not sent');
  });

  test('per group: 20 messages a minute', async () => {
    // One Telegram minute lasts 3 s here.
    const sandbox = await sandboxWith({ perGroupPerMinute: 20 }, 0.05);
    const created = sandbox.createBot({ username: 'announcer_bot' });
    const owner = sandbox.createUser({ firstName: 'Owner' });
    const group = sandbox.createGroup({ title: 'Busy', type: 'group', memberIds: [owner.id] });
    sandbox.addBotToGroup(created.id, group.id);
    const bot = grammyBot(sandbox, created.token);
    for (let n = 1; n <= 20; n++) await bot.api.sendMessage(group.id, `news ${n}`);
    await expectFlood(bot.api.sendMessage(group.id, 'news 21'), 2, 60);
    const otherUser = sandbox.createUser({ firstName: 'Private' });
    sandbox.userStartsBot(otherUser.id, created.id);
    await bot.api.sendMessage(otherUser.id, 'private chats are not held back by the group limit');
  });

  test('per bot: ~30 messages a second, 1000 with allow_paid_broadcast for eligible bots only', async () => {
    const sandbox = await sandboxWith({ perBotPerSecond: 5, paidBroadcastPerSecond: 50 }, 0.5);
    const broadcaster = sandbox.createBot({ username: 'paid_bot', paidBroadcastEligible: true });
    const ordinary = sandbox.createBot({ username: 'free_bot' });
    const users = Array.from({ length: 8 }, (_, n) => sandbox.createUser({ firstName: `Reader ${n}` }));
    for (const user of users) {
      sandbox.userStartsBot(user.id, broadcaster.id);
      sandbox.userStartsBot(user.id, ordinary.id);
    }
    const paid = grammyBot(sandbox, broadcaster.token).api;
    const free = grammyBot(sandbox, ordinary.token).api;
    for (const user of users.slice(0, 5)) await free.sendMessage(user.id, 'free');
    await expectFlood(free.sendMessage(users[5]?.id ?? 0, 'free', { allow_paid_broadcast: true }), 1, 1);
    for (const user of users) await paid.sendMessage(user.id, 'paid', { allow_paid_broadcast: true });
    assert.equal(sandbox.rateLimitHits, 1);
  });

  test('slow mode answers 429 to non-admin bots', async () => {
    const sandbox = await sandboxWith({}, 0.05);
    const created = sandbox.createBot({ username: 'slow_bot' });
    const owner = sandbox.createUser({ firstName: 'Owner' });
    const group = sandbox.createGroup({ title: 'Slow', type: 'supergroup', memberIds: [owner.id] });
    sandbox.addBotToGroup(created.id, group.id);
    sandbox.setSlowMode(group.id, 60);
    const bot = grammyBot(sandbox, created.token);
    await bot.api.sendMessage(group.id, 'first');
    await expectFlood(bot.api.sendMessage(group.id, 'second'), 50, 60);
  });
});

describe('injected faults', () => {
  let sandbox: Sandbox;
  after(() => sandbox.close());

  test('failNext: chosen errors, 502 pages and dropped connections', async () => {
    sandbox = await openSandbox({ limits: false });
    const { created, user, bot } = await botWithUser(sandbox, 'unlucky_bot');
    sandbox.failNext(created.id, { method: 'sendMessage', errorCode: 429, description: 'Too Many Requests: retry after 7', retryAfter: 7 });
    await bot.api.getMe();
    await assertTelegramError(bot.api.sendMessage(user.id, 'x'), 429, 'Too Many Requests: retry after 7', { retry_after: 7 });

    sandbox.failNext(created.id, { errorCode: 500, description: 'Internal Server Error', times: 2 });
    await assertTelegramError(bot.api.getMe(), 500, 'Internal Server Error');
    await assertTelegramError(bot.api.getMe(), 500, 'Internal Server Error');
    await bot.api.getMe();

    sandbox.failNext(created.id, { kind: 'bad-gateway' });
    const response = await fetch(`${sandbox.apiRoot}/bot${created.token}/getMe`);
    assert.equal(response.status, 502);
    assert.match(await response.text(), /502 Bad Gateway/);

    sandbox.failNext(created.id, { kind: 'drop-connection' });
    await assert.rejects(bot.api.sendMessage(user.id, 'lost before'), HttpError);
    sandbox.failNext(created.id, { kind: 'drop-connection', afterExecuting: true });
    await assert.rejects(bot.api.sendMessage(user.id, 'lost after'), HttpError);
    assert.deepEqual(sandbox.sentMessages({ botId: created.id }).map((message) => message.text), ['lost after'], 'the effect happened, the answer was lost');
    assert.throws(() => sandbox.failNext(created.id, { errorCode: 200, description: 'fine' }), /errorCode/);
  });
});
