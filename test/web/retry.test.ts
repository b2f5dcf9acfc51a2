/**
 * The Mini App's retries are safe: when the answer to "Send now" is lost (the broadcast was
 * sent, the connection dropped before the answer came back), pressing the button again
 * resends the same request under the same Idempotency-Key, and the server sends once.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { registerTenant } from '../helpers/api.js';
import { insertBot, insertGroup } from '../delivery/fixtures.js';
import { apiAndBrowser, openApp } from './browser.js';

const env = apiAndBrowser();

async function logIn(page: Page, who: { username: string; password: string }): Promise<void> {
  await page.getByLabel('Username or e-mail').fill(who.username);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
}

test('pressing Send again after a lost answer sends the broadcast once, under one key', async () => {
  const owner = await registerTenant(env.api, 'rty');
  const botId = await insertBot(env.api.services.db, owner.tenantId, 7_600_000_000 + (process.pid % 1000), `rty${process.pid}_bot`);
  await insertGroup(env.api.services.db, owner.tenantId, botId, -4_400_001, 'Retry group');
  const { page, context, errors } = await openApp(env.browser, env.api.url, { hash: '#/login' });
  try {
    await logIn(page, owner);
    const keys: string[] = [];
    let answersLost = 0;
    await page.route('**/api/broadcasts', async (route) => {
      keys.push(route.request().headers()['idempotency-key'] ?? '');
      if (keys.length > 1) return route.continue();
      await route.fetch(); // the server does the work…
      answersLost++;
      await route.abort('connectionreset'); // …and its answer never reaches the app
    });
    await page.goto(`${env.api.url}/#/delivery/new`);
    await page.getByLabel('Message').fill('Only once, please');
    await page.getByLabel('Retry group').check();
    const send = page.getByRole('button', { name: 'Send now' });
    await send.click();
    await page.waitForFunction(() => !document.querySelector('button[type=submit][aria-busy=true]'));
    assert.equal(answersLost, 1, 'the first answer was lost');
    await send.click();
    await page.getByRole('heading', { name: 'Posts', exact: true }).waitFor();

    assert.equal(keys.length, 2);
    assert.match(keys[0]!, /^[0-9a-f]{32}$/);
    assert.equal(keys[1], keys[0], 'the retry carries the same key');
    const counts = await env.api.services.db.withTenant(owner.tenantId, async (tx) => (await tx.query<{ schedules: number; outbox: number }>(
      `SELECT (SELECT count(*)::int FROM schedules) AS schedules, (SELECT count(*)::int FROM outbox) AS outbox`)).rows[0]!);
    assert.deepEqual(counts, { schedules: 1, outbox: 1 });
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
