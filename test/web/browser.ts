import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ensureMiniAppBuilt } from '../../src/roles/mini-app-build.js';
import { startTestApi, type TestApi } from '../helpers/api.js';

const root = path.resolve(import.meta.dirname, '../..');

/** Debian's chromium (apt-get install chromium); CHROMIUM_PATH overrides. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The API serves web/dist; the server's own check builds it when missing or older than its sources. */
export const ensureWebBuilt = () => ensureMiniAppBuilt();

/** Headless chromium as CI runs it: no sandbox (root in a container), no GPU, no background traffic. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
}

/**
 * A test file's API and browser: the web app is built if needed, both start before the
 * file's tests and close after them. Read the fields inside tests (they are set in `before`).
 */
export function apiAndBrowser(): { api: TestApi; browser: Browser } {
  const started = {} as { api: TestApi; browser: Browser };
  before(async () => {
    await ensureWebBuilt();
    started.api = await startTestApi();
    started.browser = await launchBrowser();
  });
  after(async () => {
    await started.browser?.close();
    await started.api?.close();
  });
  return started;
}

export interface AppPage {
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions and console errors of the page (a screen that throws fails its test). */
  errors: string[];
}

/**
 * A phone-sized page in its own context (own cookies), with the colour scheme and browser
 * language given. `init` runs before the app's scripts (e.g. a stub of Telegram's SDK).
 */
export async function openApp(browser: Browser, baseUrl: string, options: { colorScheme?: 'light' | 'dark'; locale?: string; init?: string; hash?: string } = {}): Promise<AppPage> {
  const context = await browser.newContext({
    viewport: { width: 400, height: 860 },
    deviceScaleFactor: 1,
    colorScheme: options.colorScheme ?? 'light',
    locale: options.locale ?? 'en-US',
    timezoneId: 'Europe/Istanbul',
  });
  if (options.init) await context.addInitScript(options.init);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    // A failed request is reported by the screen itself, in words; the console line is noise.
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text())) errors.push(`console: ${message.text()}`);
  });
  await page.goto(`${baseUrl}/${options.hash ?? ''}`);
  return { context, page, errors };
}

/** Registers through the Mini App's own form; resolves when the dashboard shows. */
export async function registerInApp(page: Page, who: { username: string; email: string; password: string; tenant?: string }): Promise<void> {
  await page.goto(page.url().replace(/#.*$/, '') + '#/register');
  await page.getByLabel('Username', { exact: true }).fill(who.username);
  await page.getByLabel('E-mail').fill(who.email);
  await page.getByLabel('Password', { exact: true }).fill(who.password);
  if (who.tenant) await page.getByLabel(/Name of your business/).fill(who.tenant);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
}

let people = 0;

/** A fresh login for a browser test. */
export function newPerson(prefix: string): { username: string; email: string; password: string } {
  const username = `${prefix}${process.pid % 100000}x${Date.now() % 100000}x${people++}`.toLowerCase().slice(0, 32);
  return { username, email: `${username}@example.test`, password: 'correct horse battery staple' };
}

export function screenshotDir(): string {
  const dir = process.env.KOVAN_SCREENSHOTS === '1' ? path.join(root, 'docs/screenshots') : path.join(root, 'test/web/.screenshots');
  mkdirSync(dir, { recursive: true });
  return dir;
}
