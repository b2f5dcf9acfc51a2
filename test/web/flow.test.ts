/**
 * The customer's first hour, end to end through the Mini App against the real thing (API,
 * Telegram sandbox, a worker polling it): register → connect a sandbox bot → add it to a
 * sandbox group → create a reply template and a rule → a sandbox user writes → the bot's
 * reply, the live dashboard, the Try-it panel → the daily limit reached shows the meter at 100 %.
 * Steps whose API route does not exist yet are skipped with the route's name.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { changePlan } from '../../src/billing/index.js';
import { eventually } from '../helpers/processes.js';
import { startRuntime, type Runtime } from '../helpers/runtime.js';
import { ensureWebBuilt, launchBrowser, newPerson, openApp, registerInApp } from './browser.js';

let rt: Runtime;
let browser: Browser;
let paths: Set<string>;

before(async () => {
  await ensureWebBuilt();
  rt = await startRuntime();
  browser = await launchBrowser();
  paths = new Set(Object.keys((await rt.api.request('GET', '/api/openapi.json')).body.paths));
});

after(async () => {
  await browser?.close();
  await rt?.close();
});

const needs = (route: string) => (paths.has(route) ? false : `${route} is not in the API yet`);

async function statValue(page: Page, stat: string): Promise<number> {
  return Number((await page.locator(`[data-testid=stats-today] [data-stat=${stat}] dd`).innerText()).replace(/\D/g, ''));
}

test('register → bot → group → template and rule → a user writes → reply, live dashboard, Try it, quota at 100 %', async (t) => {
  const person = newPerson('flow');
  const { page, context, errors } = await openApp(browser, rt.api.url, { hash: '#/register' });
  await registerInApp(page, person);

  // The test plays the operator's part: the tenant's sessions run on this file's worker, on a plan with auto-replies.
  const tenantId = await rt.api.services.db.withOwner(async (tx) =>
    (await tx.query<{ tenant_id: string }>(`SELECT tenant_id FROM members WHERE username = $1`, [person.username])).rows[0]!.tenant_id);
  await rt.api.services.db.withOwner((tx) => tx.query(`UPDATE tenants SET worker_pool = $2 WHERE id = $1`, [tenantId, rt.pool]));
  await rt.api.services.db.withTenant(tenantId, (tx) => changePlan(tx, 'premium'));

  const bot = rt.sandbox.createBot({ username: `flow${process.pid % 100000}x${Date.now() % 100000}_bot`, canReadAllGroupMessages: true });
  await t.test('connect the sandbox bot with its token', async () => {
    await page.goto(`${rt.api.url}/#/settings/bot`);
    await page.getByLabel('Bot token').fill(bot.token);
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.getByTestId('bot-status').filter({ hasText: `@${bot.username}` }).waitFor();
    await page.getByTestId('bot-checklist').waitFor();
  });

  const members = [rt.sandbox.createUser({ firstName: 'Ayşe', languageCode: 'tr' }).id, rt.sandbox.createUser({ firstName: 'Mehmet', languageCode: 'tr' }).id];
  const group = rt.sandbox.createGroup({ title: 'Kovan Topluluk', type: 'supergroup', memberIds: members });
  await t.test('add the bot to a sandbox group: the group appears in Groups', async () => {
    rt.sandbox.addBotToGroup(bot.id, group.id, { admin: true, canInviteUsers: true, canDeleteMessages: true });
    await rt.worker.tick();
    // The list refreshes itself on the live `group` event; no reload is needed.
    await page.goto(`${rt.api.url}/#/groups`);
    await page.getByTestId('group-list').getByText('Kovan Topluluk').waitFor({ timeout: 20_000 });
  });

  await t.test('create a reply template (with the server\'s live preview) and a reply rule', async () => {
    await page.goto(`${rt.api.url}/#/templates/new?kind=reply`);
    await page.getByLabel('Name', { exact: true }).fill('Fiyat');
    await page.getByLabel('Text').fill('Merhaba {first_name}, fiyatlarımız: <b>Temel</b> 19,99 $');
    await page.getByTestId('template-preview').getByText('Merhaba Ayşe').waitFor();
    await page.locator('button[type=submit]').click();
    await page.getByTestId('templates-reply').getByText('Fiyat', { exact: true }).waitFor();

    await page.goto(`${rt.api.url}/#/rules/new`);
    await page.getByLabel('Name', { exact: true }).fill('Fiyat soruları');
    await page.getByLabel('Trigger', { exact: true }).fill('fiyat');
    await page.getByLabel('Reply template').selectOption({ label: 'Fiyat' });
    await page.locator('button[type=submit]').click();
    await page.getByTestId('rule-list').getByText('Fiyat soruları', { exact: true }).waitFor();
  });

  await t.test('a sandbox user writes: the bot replies, and the dashboard updates live', async () => {
    await page.goto(`${rt.api.url}/#/dashboard`);
    await page.getByTestId('live-state').getByText('Live').waitFor();
    const before = await statValue(page, 'messagesIn');
    rt.sandbox.userSendsMessage(members[0]!, group.id, 'Fiyat nedir?');
    await page.getByTestId('activity').getByText('Fiyat nedir?').first().waitFor({ timeout: 20_000 });
    await eventually(async () => (await statValue(page, 'messagesIn')) > before, 10_000, 'the received counter went up without a reload');
    const answered = await eventually(async () => rt.sandbox.chatMessages(group.id).find((m) => m.from?.id === bot.id && 'text' in m && /fiyatlarımız/.test(m.text ?? '')), 20_000, 'the bot\'s reply in the group');
    assert.match(String((answered as { text?: string }).text), /Merhaba Ayşe/);
  });

  await t.test('Try it: the customer writes as a user and sees the bot\'s answer', { skip: needs('/api/try-it/messages') }, async () => {
    await page.goto(`${rt.api.url}/#/try-it`);
    await page.getByLabel('Message').fill('fiyat lütfen');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByTestId('try-it-chat').locator('[data-from=bot]').getByText('fiyatlarımız').waitFor({ timeout: 20_000 });
  });

  await t.test('the plan\'s daily limit reached: the usage meter shows 100 %', { skip: needs('/api/usage') }, async () => {
    const used = (await rt.api.services.db.withTenant(tenantId, (tx) => tx.query<{ used: number }>(`SELECT coalesce(sum(used), 0)::int AS used FROM daily_usage`))).rows[0]!.used;
    assert.ok(used > 0, 'the reply was charged to the quota');
    await rt.api.services.db.withOwner((tx) => tx.query(`UPDATE subscriptions SET custom_messages_per_day = $2 WHERE tenant_id = $1 AND status <> 'cancelled'`, [tenantId, used]));
    await page.goto(`${rt.api.url}/#/subscription`);
    await page.goto(`${rt.api.url}/#/dashboard`);
    await page.getByTestId('usage-percent').getByText('100 %').waitFor();
    assert.equal(await page.getByRole('progressbar').getAttribute('aria-valuetext'), '100 %');
  });

  assert.deepEqual(errors, []);
  await context.close();
});
