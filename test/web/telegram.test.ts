/**
 * The Mini App "inside Telegram": window.Telegram.WebApp is stubbed the way Telegram's SDK
 * presents it, with initData signed by the test's platform bot token exactly as Telegram
 * signs it. Covers automatic login, linking a Telegram account to a password login, the
 * theme, BackButton, MainButton and haptic feedback.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { signInitData } from '../../src/auth/telegram-init-data.js';
import { registerTenant, startTestApi, type TestApi } from '../helpers/api.js';
import { ensureWebBuilt, launchBrowser, openApp, screenshotDir } from './browser.js';

const platformBotToken = '700000001:platform-test-token-abcdefghijklmnopqrstu';
let api: TestApi;
let browser: Browser;

before(async () => {
  await ensureWebBuilt();
  api = await startTestApi({ config: { PLATFORM_BOT_TOKEN: platformBotToken } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await api?.close();
});

/** Telegram's dark theme, as themeParams carries it. */
const darkTheme = {
  bg_color: '#17212b', text_color: '#f5f5f5', hint_color: '#708499', link_color: '#6ab3f3', button_color: '#5288c1',
  button_text_color: '#ffffff', secondary_bg_color: '#232e3c', section_bg_color: '#17212b', destructive_text_color: '#ec3942',
};

/** A script that plays Telegram's SDK before the app loads; every call lands in `window.__tg`. */
function telegramStub(userId: number, languageCode: string): string {
  const user = { id: userId, first_name: 'Ayşe', username: 'ayse', language_code: languageCode };
  // Each launch of a Mini App gets initData of its own (its own query_id); each is good for one login.
  const initData = signInitData({ auth_date: String(Math.floor(Date.now() / 1000)), query_id: `AAF-${randomUUID()}`, user: JSON.stringify(user) }, platformBotToken);
  return `(() => {
    const calls = [];
    const record = (name) => (...args) => { calls.push([name, ...args]); };
    const button = (prefix) => ({ setText: record(prefix + '.setText'), show: record(prefix + '.show'), hide: record(prefix + '.hide'),
      enable: record(prefix + '.enable'), disable: record(prefix + '.disable'), showProgress: record(prefix + '.showProgress'),
      hideProgress: record(prefix + '.hideProgress'), onClick: record(prefix + '.onClick'), offClick: record(prefix + '.offClick') });
    window.__tg = calls;
    window.Telegram = { WebApp: {
      initData: ${JSON.stringify(initData)},
      initDataUnsafe: { user: ${JSON.stringify(user)} },
      colorScheme: 'dark', themeParams: ${JSON.stringify(darkTheme)}, platform: 'android', viewportStableHeight: 700,
      safeAreaInset: { top: 24, bottom: 16, left: 0, right: 0 }, contentSafeAreaInset: { top: 0, bottom: 0, left: 0, right: 0 },
      ready: record('ready'), expand: record('expand'), onEvent: record('onEvent'), offEvent: record('offEvent'),
      openLink: record('openLink'), openTelegramLink: record('openTelegramLink'),
      BackButton: button('BackButton'), MainButton: button('MainButton'),
      HapticFeedback: { impactOccurred: record('impact'), notificationOccurred: record('notification'), selectionChanged: record('selection') },
    } };
  })();`;
}

async function calls(page: Page): Promise<unknown[][]> {
  return page.evaluate(() => (window as unknown as { __tg: unknown[][] }).__tg);
}

test('inside Telegram: not linked → password login → link; next time the Mini App logs in by itself', async () => {
  const owner = await registerTenant(api, 'tg');
  const telegramUserId = 5_000_000_000 + (process.pid % 100_000);
  const stub = telegramStub(telegramUserId, 'tr');

  // First visit: initData is valid but no login is linked to this Telegram account yet.
  const first = await openApp(browser, api.url, { init: stub });
  await first.page.getByRole('heading', { name: 'Giriş yap' }).waitFor();
  await first.page.getByText('Bu Telegram hesabı henüz bir Kovan girişine bağlı değil').waitFor();
  assert.equal(await first.page.evaluate(() => document.documentElement.lang), 'tr', 'the language follows Telegram\'s language_code');
  await first.page.screenshot({ path: path.join(screenshotDir(), 'telegram-not-linked-tr-dark.png') });

  await first.page.getByLabel('Kullanıcı adı veya e-posta').fill(owner.username);
  await first.page.getByLabel('Şifre').fill(owner.password);
  await first.page.getByRole('button', { name: 'Giriş yap' }).click();
  await first.page.getByRole('button', { name: 'Bu Telegram hesabını bağla' }).first().click();
  await first.page.getByRole('button', { name: 'Bu Telegram hesabını bağla' }).waitFor({ state: 'detached' });
  await first.page.goto(`${api.url}/#/settings`);
  await first.page.getByTestId('telegram-link-state').getByText('Bağlı').waitFor();
  assert.deepEqual(first.errors, []);
  await first.context.close();

  // The first launch's initData linked the account and is spent: replayed in a fresh browser it logs nobody in.
  const replay = await openApp(browser, api.url, { init: stub });
  await replay.page.getByRole('heading', { name: 'Giriş yap' }).waitFor();
  await replay.page.getByText('Kullanıcı adı veya şifre yanlış.').or(replay.page.getByText(/already used/)).first().waitFor();
  await replay.context.close();

  // Second launch, fresh cookies: its new initData alone logs in; a reload keeps the session (cookie).
  const second = await openApp(browser, api.url, { init: telegramStub(telegramUserId, 'tr') });
  await second.page.getByRole('heading', { name: 'Panel' }).waitFor();
  await second.page.reload();
  await second.page.getByRole('heading', { name: 'Panel' }).waitFor();
  const page = second.page;
  const made = await calls(page);
  assert.ok(made.some(([name]) => name === 'ready'), 'ready() called');
  assert.ok(made.some(([name]) => name === 'expand'), 'expand() called');
  const theme = await page.evaluate(() => ({
    scheme: document.documentElement.dataset.theme,
    bg: getComputedStyle(document.body).backgroundColor,
    inset: document.documentElement.style.getPropertyValue('--inset-top'),
  }));
  assert.equal(theme.scheme, 'dark');
  assert.equal(theme.bg, 'rgb(35, 46, 60)', 'the page takes Telegram\'s secondary background');
  assert.equal(theme.inset, '24px', 'safe-area insets reach the layout');
  await page.screenshot({ path: path.join(screenshotDir(), 'telegram-dashboard-tr-dark.png') });

  // A screen below another shows Telegram's BackButton; a form puts its action on the MainButton.
  await page.goto(`${api.url}/#/settings/messages`);
  await page.getByRole('heading', { name: 'Mesaj ayarları' }).waitFor();
  await page.locator('.loading').first().waitFor({ state: 'detached' }).catch(() => undefined);
  let after = await calls(page);
  assert.ok(after.some(([name]) => name === 'BackButton.show'), 'BackButton shown');
  assert.ok(after.some(([name, text]) => name === 'MainButton.setText' && text === 'Kaydet'), 'MainButton says Kaydet');
  assert.ok(after.some(([name]) => name === 'MainButton.show'), 'MainButton shown');

  // Saving gives haptic feedback.
  await page.getByLabel('Mesaj biçimi').selectOption('plain');
  await page.locator('button[type=submit]').click();
  await page.getByText('Kaydedildi.').waitFor();
  after = await calls(page);
  assert.ok(after.some(([name, kind]) => name === 'notification' && kind === 'success'), 'success haptic after saving');
  const config = await api.request('GET', '/api/config', { token: owner.token });
  assert.equal(config.body.config.default_parse_mode, 'plain');
  assert.deepEqual(second.errors, []);
  await second.context.close();
});

test('initData signed with another token is refused and the login form says why', async () => {
  const forged = telegramStub(5_100_000_000, 'en').replace(/hash=[0-9a-f]{64}/, `hash=${'0'.repeat(64)}`);
  const app = await openApp(browser, api.url, { init: forged });
  await app.page.getByRole('heading', { name: 'Log in' }).waitFor();
  await app.page.getByText('Wrong username or password.').or(app.page.getByText(/invalid signature/)).first().waitFor();
  await app.context.close();
});
