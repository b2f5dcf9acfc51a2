import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultDeliveryLimits } from '../../src/delivery/index.js';
import { Pacer } from '../../src/delivery/pacer.js';

/**
 * The pacer on a virtual clock (no database, no network): the shapes of Telegram's limits,
 * and dating a message by its answer, which is what keeps the sender clear of 429s.
 */
const limits = { ...defaultDeliveryLimits, safetyMarginMs: 0 };
const bot = 'bot';

test('a bot sends 30 at once, then waits until the first answer is a window old', () => {
  const pacer = new Pacer(limits);
  for (let chat = 1; chat <= 30; chat++) {
    const send = { botId: bot, chatId: chat, paid: false };
    assert.equal(pacer.waitMs(send, 0), 0);
    pacer.end(pacer.begin(send, 0), 40 + chat);
  }
  // The 31st must wait until the first answer (t = 41) is 1 s old — not the first request (t = 0).
  assert.equal(pacer.waitMs({ botId: bot, chatId: 31, paid: false }, 100), 941);
  // Paid broadcasts count against their own, higher limit.
  assert.equal(pacer.waitMs({ botId: bot, chatId: 31, paid: true }, 100), 0);
});

test('a chat takes its burst, then one per interval counted from each answer; one call in flight at a time', () => {
  const pacer = new Pacer(limits);
  const send = { botId: bot, chatId: 7, paid: false };
  const ticket = pacer.begin(send, 0);
  assert.equal(pacer.waitMs(send, 1), Infinity, 'in flight');
  pacer.end(ticket, 10);
  pacer.end(pacer.begin(send, 10), 20);
  pacer.end(pacer.begin(send, 20), 30);
  assert.equal(pacer.waitMs(send, 30), 1000, 'burst of 3 spent; nothing earned while calls were in flight');
});

test('a group fills its 20-per-minute window, then waits for the oldest answer to leave it', () => {
  const pacer = new Pacer({ ...limits, chatBurst: 100 });
  const send = { botId: bot, chatId: -100, paid: false };
  for (let i = 0; i < 20; i++) pacer.end(pacer.begin(send, i * 10), i * 10 + 5);
  assert.equal(pacer.waitMs(send, 200), 60_005 - 200);
});

test('a forecast replays the chat’s limits on a copy and leaves the pacer as it was', () => {
  const pacer = new Pacer({ ...limits, chatBurst: 3 });
  const send = { botId: bot, chatId: -5, paid: false };
  for (let i = 0; i < 3; i++) pacer.end(pacer.begin(send, 0), 1);
  assert.deepEqual(pacer.forecast(send, 3, 1), [1001, 2001, 3001]);
  const full = new Pacer({ ...limits, chatBurst: 100 });
  for (let i = 0; i < 20; i++) full.end(full.begin(send, i), i + 1);
  const before = full.waitMs(send, 100);
  assert.deepEqual(full.forecast(send, 1, 500_000), [500_000], 'a forecast from after the window');
  assert.equal(full.waitMs(send, 100), before, 'the live window still holds its 20 answers');
});

test('a pause holds the bot and the chat until it ends', () => {
  const pacer = new Pacer(limits);
  pacer.pauseBot(bot, 5_000);
  assert.equal(pacer.waitMs({ botId: bot, chatId: 1, paid: false }, 1_000), 4_000);
  assert.equal(pacer.waitMs({ botId: 'other', chatId: 1, paid: false }, 1_000), 0);
});
