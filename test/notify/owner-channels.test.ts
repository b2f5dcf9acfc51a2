import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { notifyTenant, sendPendingNotifications, type PlatformBot } from '../../src/notify/index.js';
import type { Database } from '../../src/platform/db/index.js';
import type { Email } from '../../src/platform/mail.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { updateConfig } from '../../src/tenancy/index.js';
import { createTestTenant, quietLog } from '../delivery/fixtures.js';
import { openTestDatabase } from '../helpers/env.js';
import { randomBotToken, startTestSandbox } from '../helpers/telegram.js';

/**
 * Notices reach owners by e-mail and by Telegram: from the platform bot, only to owners who
 * linked their Telegram account and started the bot; each channel can be switched off, each
 * notice is sent once, and a failure is recorded with its reason.
 */
let db: Database;
let sandbox: Sandbox;
let platformBot: PlatformBot & { id: number };

before(async () => {
  db = await openTestDatabase();
  sandbox = await startTestSandbox();
  const token = randomBotToken();
  platformBot = { token, apiRoot: sandbox.apiRoot, id: sandbox.createBot({ username: `kovanplat${process.pid}_bot`, token }).id };
});
after(async () => { await sandbox.close(); await db.close(); });

async function ownerWithTelegram(options: { started: boolean }) {
  const t = await createTestTenant(db);
  const user = sandbox.createUser({ firstName: 'Owner' });
  if (options.started) sandbox.userStartsBot(user.id, platformBot.id);
  await db.withTenant(t.tenantId, (tx) => tx.query(`UPDATE members SET telegram_user_id = $1 WHERE role = 'owner'`, [user.id]));
  return { ...t, telegramUserId: user.id };
}

const botSaid = (userId: number) => sandbox.chatMessages(userId, platformBot.id).filter((m) => m.from?.id === platformBot.id).map((m) => m.text);
const statuses = (tenantId: string) => db.withTenant(tenantId, async (tx) => (await tx.query<{ email_status: string; telegram_status: string; telegram_error: string | null }>(
  `SELECT email_status, telegram_status, telegram_error FROM notifications ORDER BY created_at, event`)).rows);

test('an owner who linked Telegram and started the bot gets the notice there and by e-mail, once', async () => {
  const t = await ownerWithTelegram({ started: true });
  await db.withTenant(t.tenantId, (tx) => notifyTenant(tx, { event: 'bot_failed', title: '@shop_bot stopped', body: 'Telegram rejected the token' }));
  const mail: Email[] = [];
  const deps = { db, log: quietLog, platformBot, mailer: { send: async (e: Email) => { mail.push(e); } } };
  assert.deepEqual(await sendPendingNotifications(deps, t.tenantId), { emailed: 1, telegrammed: 1 });
  assert.deepEqual(botSaid(t.telegramUserId), ['@shop_bot stopped\n\nTelegram rejected the token']);
  assert.deepEqual(mail.map((m) => [m.to, m.subject]), [[t.ownerEmail, 'Kovan: @shop_bot stopped']]);
  assert.deepEqual(await sendPendingNotifications(deps, t.tenantId), { emailed: 0, telegrammed: 0 }, 'nothing is sent twice');
  assert.deepEqual(await statuses(t.tenantId), [{ email_status: 'sent', telegram_status: 'sent', telegram_error: null }]);
});

test('no cold messages: an owner who never started the bot gets nothing, and the reason is recorded', async () => {
  const t = await ownerWithTelegram({ started: false });
  await db.withTenant(t.tenantId, (tx) => notifyTenant(tx, { event: 'quota_warning', title: '80 % used', body: 'of today' }));
  assert.deepEqual(await sendPendingNotifications({ db, log: quietLog, platformBot }, t.tenantId), { emailed: 0, telegrammed: 0 });
  assert.deepEqual(botSaid(t.telegramUserId), []);
  const [row] = await statuses(t.tenantId);
  assert.equal(row!.telegram_status, 'failed');
  assert.match(row!.telegram_error!, /not started the Kovan bot/);
  assert.equal(row!.email_status, 'pending', 'the e-mail waits for a caller that has a mailer');
});

test('the tenant turns Telegram off, or has no linked owner: the notice is not sent there', async () => {
  const off = await ownerWithTelegram({ started: true });
  await db.withTenant(off.tenantId, async (tx) => {
    await updateConfig(tx, 'notifications', { email: true, telegram: false, events: ['quota_warning', 'bot_failed'] });
    await notifyTenant(tx, { event: 'bot_failed', title: 'stopped', body: 'x' });
    await notifyTenant(tx, { event: 'payment', title: 'paid', body: 'event switched off' });
  });
  assert.deepEqual(await sendPendingNotifications({ db, log: quietLog, platformBot }, off.tenantId), { emailed: 0, telegrammed: 0 });
  assert.deepEqual(botSaid(off.telegramUserId), []);
  assert.deepEqual((await statuses(off.tenantId)).map((r) => [r.email_status, r.telegram_status]), [['pending', 'skipped'], ['skipped', 'skipped']]);

  const unlinked = await createTestTenant(db);
  await db.withTenant(unlinked.tenantId, (tx) => notifyTenant(tx, { event: 'bot_failed', title: 'stopped', body: 'x' }));
  await sendPendingNotifications({ db, log: quietLog, platformBot }, unlinked.tenantId);
  const [row] = await statuses(unlinked.tenantId);
  assert.deepEqual([row!.telegram_status, row!.telegram_error], ['skipped', 'no owner has linked a Telegram account']);
});
