import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { Second, sleep } from '../../src/platform/time.js';
import { startTestApi, type TestApi } from '../helpers/api.js';

const root = path.resolve(import.meta.dirname, '../..');
const web = path.join(root, 'web');
const builtIndex = path.join(web, 'dist/index.html');
const buildLock = path.join(web, '.build-lock');

/** Debian's chromium (apt-get install chromium); CHROMIUM_PATH overrides. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function newestSource(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((newest, entry) => {
    const full = path.join(dir, entry.name);
    return Math.max(newest, entry.isDirectory() ? newestSource(full) : statSync(full).mtimeMs);
  }, 0);
}

function builtIsCurrent(): boolean {
  if (!existsSync(builtIndex)) return false;
  const sources = Math.max(newestSource(path.join(web, 'src')), statSync(path.join(web, 'index.html')).mtimeMs, statSync(path.join(web, 'vite.config.ts')).mtimeMs);
  return statSync(builtIndex).mtimeMs >= sources;
}

/**
 * The API serves web/dist; build it when it is missing or older than its sources. Test
 * files run in parallel, so one builds (under a lock directory) while the others wait.
 */
export async function ensureWebBuilt(): Promise<void> {
  for (let waited = 0; !builtIsCurrent(); waited++) {
    try {
      mkdirSync(buildLock);
    } catch {
      if (waited > 240) throw new Error(`web build lock ${buildLock} held for 2 minutes; remove it if no build runs`);
      await sleep(Second / 2);
      continue;
    }
    try {
      // The same build `npm run build` makes: the test runner's NODE_ENV=test would pull in debug code.
      const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/build-web.ts')], { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
      if (result.status !== 0) throw new Error('npm run build (scripts/build-web.ts) failed');
    } finally {
      rmdirSync(buildLock);
    }
  }
}

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
