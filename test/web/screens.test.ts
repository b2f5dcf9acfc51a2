/**
 * Every screen of the Mini App against a real Kovan (API, Telegram sandbox, a worker), in a
 * real browser, in English and Turkish, light and dark. Each screen must render without a
 * script error and without any API error (a route the server lacks, "No route …", fails too).
 * Screenshots go to docs/screenshots/ with KOVAN_SCREENSHOTS=1 (else a scratch folder).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createReplyRule } from '../../src/rules/index.js';
import { createTemplate } from '../../src/templates/index.js';
import { eventually } from '../helpers/processes.js';
import { startRuntime, type Runtime, type RuntimeTenant } from '../helpers/runtime.js';
import { registerTenant } from '../helpers/api.js';
import { ensureWebBuilt, launchBrowser, openApp, screenshotDir } from './browser.js';

let rt: Runtime;
let browser: Browser;
let tenant: RuntimeTenant;

before(async () => {
  await ensureWebBuilt();
  rt = await startRuntime();
  browser = await launchBrowser();
  tenant = await rt.tenant({ plan: 'premium' });
  await rt.api.services.db.withOwner((tx) => tx.query(`UPDATE tenants SET is_operator = true, name = 'Kovan Topluluk' WHERE id = $1`, [tenant.tenantId]));
  await rt.api.services.db.withTenant(tenant.tenantId, async (tx) => {
    await createTemplate(tx, { kind: 'message', name: 'Hoş geldin', content: 'Hoş geldin {first_name}! <b>{group_title}</b> grubuna katıldın.' });
    const reply = await createTemplate(tx, { kind: 'reply', name: 'Fiyat', content: '{first_name}, fiyatlarımız: <b>Temel</b> 19,99 $' });
    await createReplyRule(tx, {
      name: 'Fiyat soruları', triggerType: 'keyword', trigger: 'fiyat', caseSensitive: false, scope: 'both', groupIds: [],
      templateId: reply.id, priority: 10, cooldownUserSeconds: 0, cooldownChatSeconds: 0, enabled: true,
    });
  });
  const [first, second] = tenant.bot.memberIds;
  rt.sandbox.userSendsMessage(first!, tenant.bot.groupChatId, 'Merhaba herkese 👋');
  rt.sandbox.userSendsMessage(second!, tenant.bot.groupChatId, 'Fiyat bilgisi alabilir miyim?');
  await rt.worker.tick();
  await eventually(async () => (await rt.sandbox.chatMessages(tenant.bot.groupChatId)).some((m) => m.from?.is_bot), 15_000, 'the bot answered');

  // Billing for the Subscription and Operator screens: a customer whose upgrade the operator
  // confirmed (a paid row), and the operator's own tenant with an Enterprise request pending.
  const customer = await registerTenant(rt.api, 'bakery');
  await rt.api.services.db.withOwner((tx) => tx.query(`UPDATE tenants SET name = 'Ayşe’nin Fırını' WHERE id = $1`, [customer.tenantId]));
  const asked = await rt.api.request('POST', '/api/subscription/change', { token: customer.token, body: { plan: 'advanced' } });
  assert.equal(asked.status, 202, `the customer's upgrade request: ${asked.text}`);
  const confirmed = await rt.api.request('POST', `/api/admin/tenants/${customer.tenantId}/plan`, { token: tenant.token, body: { plan: 'advanced', reference: 'FTR-2026-0117' } });
  assert.equal(confirmed.status, 200, `the operator confirms it: ${confirmed.text}`);
  const pending = await rt.api.request('POST', '/api/subscription/change', { token: tenant.token, body: { plan: 'enterprise' } });
  assert.equal(pending.status, 202, `the operator tenant's own Enterprise request: ${pending.text}`);
});

after(async () => {
  await browser?.close();
  await rt?.close();
});

/** Waits for a screen to finish loading: no "Loading…" left, then a moment for the last paint. */
async function settled(page: Page): Promise<void> {
  await page.locator('.loading').first().waitFor({ state: 'detached', timeout: 15_000 }).catch(() => undefined);
  await page.waitForTimeout(250);
}

/** Errors a screen shows (an API error in words, or a route the server lacks: "No route …"). */
async function visibleErrors(page: Page): Promise<string[]> {
  return (await page.locator('.error').allInnerTexts()).map((text) => text.replace(/\s+/g, ' '));
}

/** What a screen must show beyond "no error": the data the screenshots are meant to document. */
const expectations: Record<string, (page: Page) => Promise<void>> = {
  subscription: async (page) => {
    assert.ok(await page.getByTestId('pending-request').isVisible(), 'subscription shows the pending Enterprise request');
    assert.ok(await page.locator('[data-testid=payments] tbody tr').count() > 0, 'subscription shows the billing history');
  },
  operator: async (page) => {
    assert.ok(await page.getByTestId('tenant-row').count() >= 2, 'operator lists the tenants');
    assert.ok(await page.getByTestId('tenant-row').filter({ hasText: 'Kovan Topluluk' }).locator('.badge.warn').isVisible(), 'operator shows the pending request');
  },
};

const signedIn = [
  'dashboard', 'groups', `groups/{group}`, 'groups/add', 'templates', 'templates?tab=rules', 'templates/new?kind=reply', 'rules/new',
  'try-it', 'delivery', 'delivery/new', 'delivery/new?mode=schedule', 'settings', 'settings/bot', 'settings/messages', 'settings/notifications',
  'settings/team', 'settings/api-keys', 'subscription', 'operator',
];
const signedOut = ['login', 'register', 'forgot-password', 'reset-password?token=example-token-from-the-email'];

const fileName = (screen: string) => screen.replace(/\{group\}/, 'group').replace(/\?.*=(\w+).*$/, '-$1').replace(/[/?=]+/g, '-');

for (const language of ['en', 'tr'] as const) {
  for (const theme of ['light', 'dark'] as const) {
    test(`every screen in ${language}, ${theme} theme`, async () => {
      const locale = language === 'tr' ? 'tr-TR' : 'en-US';
      const shoot = async (page: Page, screen: string) => {
        await settled(page);
        assert.deepEqual(await visibleErrors(page), [], `${screen} shows an error`);
        await expectations[screen]?.(page);
        const shown = await page.locator('body').innerText();
        assert.doesNotMatch(shown, /\bNaN\b|\bundefined\b|\[object Object\]/, `${screen} shows a value that did not render`);
        await page.screenshot({ path: path.join(screenshotDir(), `${fileName(screen)}-${language}-${theme}.png`) });
      };

      const out = await openApp(browser, rt.api.url, { colorScheme: theme, locale, hash: '#/login' });
      for (const screen of signedOut) {
        await out.page.goto(`${rt.api.url}/#/${screen}`);
        await shoot(out.page, screen);
      }
      assert.equal(await out.page.evaluate(() => document.documentElement.lang), language, 'the language follows the browser');
      await out.context.close();

      const app = await openApp(browser, rt.api.url, { colorScheme: theme, locale, hash: '#/login' });
      await app.page.locator('input[name=username]').fill(tenant.username);
      await app.page.locator('input[name=password]').fill(tenant.password);
      await app.page.locator('button[type=submit]').click();
      await app.page.locator('[data-testid=live-state]').waitFor();
      for (const screen of signedIn) {
        await app.page.goto(`${rt.api.url}/#/${screen.replace('{group}', tenant.groupId)}`);
        await shoot(app.page, screen);
      }
      assert.deepEqual(app.errors, [], 'no script errors');
      await app.context.close();
    });
  }
}
