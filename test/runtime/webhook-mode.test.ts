import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Api } from 'grammy';
import { changePlan } from '../../src/billing/index.js';
import { connectBot, openBotCredentials } from '../../src/bots/bots.js';
import { TelegramClient } from '../../src/bots/telegram-client.js';
import { Worker } from '../../src/fleet/index.js';
import { createReplyRule } from '../../src/rules/index.js';
import { sessionDeps } from '../../src/roles/worker.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { checkWebhook } from '../../src/sessions/webhook-guard.js';
import { createTemplate } from '../../src/templates/index.js';
import { startTestApi, registerTenant, type TestApi } from '../helpers/api.js';
import { eventually } from '../helpers/processes.js';
import { randomBotToken, startTestSandbox } from '../helpers/telegram.js';

/**
 * Webhook mode (PUBLIC_URL set): Telegram — here the sandbox — POSTs updates to
 * /tg/{routeId} with the bot's secret; the same pipeline runs; the session sends replies.
 */
let sandbox: Sandbox;
let api: TestApi;
let worker: Worker;
let tenant: Awaited<ReturnType<typeof registerTenant>>;
let botId: string;
let telegramBotId: number;
let token: string;
let groupChatId: number;
let member: number;
const pool = `wh${process.pid}`;

before(async () => {
  sandbox = await startTestSandbox();
  api = await startTestApi({ config: { TELEGRAM_API_ROOT: sandbox.apiRoot } });
  const services = { ...api.services, config: { ...api.services.config, PUBLIC_URL: api.url } };
  worker = new Worker(sessionDeps(services), { pool, capacity: 10, leaseTtlMs: 3000, version: 'test', log: api.services.log });
  tenant = await registerTenant(api, 'wh');
  token = randomBotToken();
  telegramBotId = sandbox.createBot({ username: `wh${process.pid}_bot`, token, canReadAllGroupMessages: true }).id;
  await api.services.db.withOwner((tx) => tx.query(`UPDATE tenants SET worker_pool = $2 WHERE id = $1`, [tenant.tenantId, pool]));
  botId = await api.services.db.withTenant(tenant.tenantId, async (tx) => {
    await changePlan(tx, 'premium');
    const bot = await connectBot(tx, { secrets: api.services.secrets, apiRoot: sandbox.apiRoot, publicUrl: api.url }, token);
    const reply = await createTemplate(tx, { kind: 'reply', name: 'hello', content: 'Hello back, {first_name}!' });
    await createReplyRule(tx, { name: 'hello', triggerType: 'keyword', trigger: 'hello', caseSensitive: false, scope: 'both', groupIds: [], templateId: reply.id, priority: 1, cooldownUserSeconds: 0, cooldownChatSeconds: 0, enabled: true });
    await createReplyRule(tx, { name: 'evil', triggerType: 'regex', trigger: '^(a+)+$', caseSensitive: false, scope: 'both', groupIds: [], templateId: reply.id, priority: 0, cooldownUserSeconds: 0, cooldownChatSeconds: 0, enabled: true });
    return bot.id;
  });
  member = sandbox.createUser({ firstName: 'Webby' }).id;
  groupChatId = sandbox.createGroup({ title: 'Webhook group', type: 'supergroup', memberIds: [member] }).id;
  await worker.start();
  await eventually(async () => (await new Api(token, { apiRoot: sandbox.apiRoot }).getWebhookInfo()).url?.includes('/tg/'), 15_000, 'the session set the webhook');
  sandbox.addBotToGroup(telegramBotId, groupChatId, { admin: true });
  await eventually(async () => api.services.db.withTenant(tenant.tenantId, async (tx) => (await tx.query(`SELECT 1 FROM groups WHERE chat_id = $1`, [groupChatId])).rows[0]), 15_000, 'the group discovered by webhook');
});
after(async () => { await worker.stop(); await api.close(); await sandbox.close(); });

test('an update arrives by webhook, runs the pipeline, and the session sends the reply', async () => {
  sandbox.userSendsMessage(member, groupChatId, 'hello there');
  const reply = await eventually(async () => sandbox.chatMessages(groupChatId).find((m) => m.from?.id === telegramBotId && m.text === 'Hello back, Webby!'), 15_000, 'the reply');
  assert.ok(reply.reply_to_message, 'sent as a reply');
  const info = await new Api(token, { apiRoot: sandbox.apiRoot }).getWebhookInfo();
  assert.equal(info.pending_update_count, 0);
  assert.match(info.url ?? '', new RegExp(`^${api.url}/tg/[A-Za-z0-9_-]+$`));
  assert.ok(!(info.url ?? '').includes(token.split(':')[1]!), 'the token is never in the webhook URL');
});

test('a wrong secret is refused, an unknown route is 404, a repeated update is processed once', async () => {
  const credentials = await api.services.db.withTenant(tenant.tenantId, (tx) => openBotCredentials(tx, api.services.secrets, botId));
  const update = { update_id: 9_000_001, message: { message_id: 77, date: Math.floor(Date.now() / 1000), chat: { id: groupChatId, type: 'supergroup', title: 'Webhook group' }, from: { id: member, is_bot: false, first_name: 'Webby' }, text: 'duplicate me' } };
  const wrong = await api.request('POST', `/tg/${credentials.routeId}`, { body: update, headers: { 'x-telegram-bot-api-secret-token': 'not-the-secret' } });
  assert.equal(wrong.status, 401);
  assert.equal((await api.request('POST', '/tg/NoSuchRoute123', { body: update, headers: { 'x-telegram-bot-api-secret-token': credentials.webhookSecret } })).status, 404);
  const first = await api.request('POST', `/tg/${credentials.routeId}`, { body: update, headers: { 'x-telegram-bot-api-secret-token': credentials.webhookSecret } });
  const second = await api.request('POST', `/tg/${credentials.routeId}`, { body: update, headers: { 'x-telegram-bot-api-secret-token': credentials.webhookSecret } });
  assert.deepEqual([first.status, first.body.duplicate, second.status, second.body.duplicate], [200, false, 200, true]);
  const rows = await api.services.db.withTenant(tenant.tenantId, async (tx) => (await tx.query(`SELECT 1 FROM messages WHERE text = 'duplicate me'`)).rows);
  assert.equal(rows.length, 1, 'stored once');
});

test('hostile updates: a huge message, odd Unicode and a catastrophic regex rule stay bounded', async () => {
  const credentials = await api.services.db.withTenant(tenant.tenantId, (tx) => openBotCredentials(tx, api.services.secrets, botId));
  const texts = ['a'.repeat(4096), 'a'.repeat(60) + '!', '\u202Eevil\u200B\u0000 zalgo Z̸̡̢̛̗̘̙̜̝̞̟̠ 👨‍👩‍👧‍👦 مرحبا', '{{ first_name }} {% raw %}'];
  for (const [i, text] of texts.entries()) {
    const update = { update_id: 9_100_000 + i, message: { message_id: 1000 + i, date: Math.floor(Date.now() / 1000), chat: { id: groupChatId, type: 'supergroup', title: 'Webhook group' }, from: { id: member, is_bot: false, first_name: '<b>Webby</b>' }, text } };
    const started = Date.now();
    const r = await api.request('POST', `/tg/${credentials.routeId}`, { body: update, headers: { 'x-telegram-bot-api-secret-token': credentials.webhookSecret } });
    assert.equal(r.status, 200, `${i}: ${r.text} ${api.logs.filter((l) => l.includes('"level":"error"')).slice(-1).join('').slice(0, 1500)}`);
    // Unbounded, the catastrophic rule would run for ages; bounded, even a busy machine answers within seconds.
    assert.ok(Date.now() - started < 20_000, `handled in ${Date.now() - started} ms`);
  }
  const stored = await api.services.db.withTenant(tenant.tenantId, async (tx) => (await tx.query<{ text: string }>(`SELECT text FROM messages WHERE direction = 'in' AND text LIKE '%zalgo%'`)).rows);
  assert.equal(stored[0]?.text, texts[2]!.replace('\u0000', ''), 'odd Unicode is stored as sent, without the NUL PostgreSQL cannot hold');
});

test('the webhook guard repairs a webhook another tool took, records it, and tells the tenant', async () => {
  const credentials = await api.services.db.withTenant(tenant.tenantId, (tx) => openBotCredentials(tx, api.services.secrets, botId));
  const client = new TelegramClient(token, sandbox.apiRoot);
  const ours = (await client.getWebhookInfo()).url ?? '';
  await new Promise((r) => setTimeout(r, 1100)); // the sandbox, like Telegram, limits setWebhook to about one a second
  await new Api(token, { apiRoot: sandbox.apiRoot }).setWebhook('https://other-tool.example/hook');
  await new Promise((r) => setTimeout(r, 1100));
  const lease = { tenantId: tenant.tenantId, workerId: worker.id, epoch: worker.sessions().find((s) => s.tenantId === tenant.tenantId)!.epoch };
  const repaired = await checkWebhook({ db: api.services.db, cache: api.services.cache, lease, log: api.services.log }, credentials, client, ours);
  assert.equal(repaired, true);
  assert.equal((await client.getWebhookInfo()).url, ours);
  const bot = await api.services.db.withTenant(tenant.tenantId, async (tx) => (await tx.query<{ webhook_repairs: number; last_error: string }>(`SELECT webhook_repairs, last_error FROM bots WHERE id = $1`, [botId])).rows[0]!);
  assert.equal(bot.webhook_repairs, 1);
  assert.match(bot.last_error, /other-tool\.example/);
  const audit = await api.services.db.withTenant(tenant.tenantId, async (tx) => (await tx.query(`SELECT 1 FROM audit_log WHERE action = 'bot.webhook_repaired'`)).rows);
  assert.equal(audit.length, 1);
  const notified = await api.services.db.withTenant(tenant.tenantId, async (tx) => (await tx.query<{ event: string }>(`SELECT event FROM notifications WHERE event = 'webhook_changed'`)).rows);
  assert.equal(notified.length, 1, 'the tenant is told');
  assert.equal(await checkWebhook({ db: api.services.db, cache: api.services.cache, lease, log: api.services.log }, credentials, client, ours), false, 'nothing to repair now');
});

test('a bot renamed after the API cached its route: `/command@new_name` is answered, `@old_name` is not', async () => {
  await api.services.db.withTenant(tenant.tenantId, async (tx) => {
    const reply = await createTemplate(tx, { kind: 'reply', name: 'price', content: 'Prices start at 5.' });
    await createReplyRule(tx, { name: 'price', triggerType: 'command', trigger: 'price', caseSensitive: false, scope: 'both', groupIds: [], templateId: reply.id, priority: 2, cooldownUserSeconds: 0, cooldownChatSeconds: 0, enabled: true });
  });
  const oldName = `wh${process.pid}_bot`;
  const newName = `wh${process.pid}_renamed_bot`;
  // The API has the route cached by now (the tests above posted to it); the bot is renamed and reconnected.
  await api.services.db.withOwner((tx) => tx.query(`UPDATE bots SET username = $2 WHERE id = $1`, [botId, newName]));
  const answers = () => sandbox.chatMessages(groupChatId).filter((m) => m.from?.id === telegramBotId && m.text === 'Prices start at 5.');
  sandbox.userSendsMessage(member, groupChatId, `/price@${oldName}`);
  sandbox.userSendsMessage(member, groupChatId, `/price@${newName}`);
  await eventually(async () => answers().length > 0, 15_000, 'the reply to the command for the new name');
  await eventually(async () => api.services.db.withTenant(tenant.tenantId, async (tx) => (await tx.query(`SELECT 1 FROM messages WHERE text = $1`, [`/price@${newName}`])).rows[0]), 15_000, 'both commands processed');
  assert.deepEqual(answers().map((m) => m.reply_to_message?.text), [`/price@${newName}`], 'one reply, to the command for the new name');
});

// Last: it disconnects the bot.
test('disconnecting a webhook-mode bot removes its webhook at Telegram, so the bot can be used elsewhere', async () => {
  const credentials = await api.services.db.withTenant(tenant.tenantId, (tx) => openBotCredentials(tx, api.services.secrets, botId));
  await new Promise((r) => setTimeout(r, 1100)); // setWebhook/deleteWebhook are limited to about one a second
  const r = await api.request('DELETE', `/api/bots/${botId}`, { token: tenant.token });
  assert.equal(r.status, 204, r.text);
  const info = await new Api(token, { apiRoot: sandbox.apiRoot }).getWebhookInfo();
  assert.equal(info.url, '', 'no webhook left');
  const updates = await new Api(token, { apiRoot: sandbox.apiRoot }).getUpdates({ timeout: 0 });
  assert.ok(Array.isArray(updates), 'getUpdates works again (no 409 conflict)');

  // A late update on the old route (the API still has the route cached) is not processed.
  const late = { update_id: 9_200_001, message: { message_id: 5000, date: Math.floor(Date.now() / 1000), chat: { id: groupChatId, type: 'supergroup', title: 'Webhook group' }, from: { id: member, is_bot: false, first_name: 'Webby' }, text: 'after the disconnect' } };
  const answer = await api.request('POST', `/tg/${credentials.routeId}`, { body: late, headers: { 'x-telegram-bot-api-secret-token': credentials.webhookSecret } });
  assert.ok(answer.status === 404 || answer.body.duplicate === true, `ignored: ${answer.status} ${answer.text}`);
  const stored = await api.services.db.withTenant(tenant.tenantId, async (tx) => (await tx.query(`SELECT 1 FROM messages WHERE text = 'after the disconnect'`)).rows);
  assert.equal(stored.length, 0, 'nothing recorded for a disconnected bot');
});
