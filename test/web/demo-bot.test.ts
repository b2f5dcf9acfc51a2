/** Demo mode in the Mini App: a newcomer gets a test bot in one tap and adds it to a simulated group. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { apiAndBrowser, newPerson, openApp, registerInApp, screenshotDir } from './browser.js';

const started = apiAndBrowser();

test('create a test bot in one tap, add another to a simulated group, in both languages', async () => {
  const { api, browser } = started;
  const { page, context, errors } = await openApp(browser, api.url, { hash: '#/register' });
  try {
    await registerInApp(page, newPerson('demo'));
    await page.goto(`${api.url}/#/settings/bot`);
    await page.getByRole('button', { name: 'Create a test bot' }).click();
    const status = page.getByTestId('bot-status');
    await status.first().waitFor();
    const username = /@(kovan_test_[0-9a-f]{10}_bot)/.exec(await status.first().innerText())![1]!;

    // A simulated group the first bot is in shows up with its people, and the second bot can join it.
    const telegramId = await api.services.db.withOwner(async (tx) =>
      Number((await tx.query<{ id: string }>(`SELECT telegram_bot_id AS id FROM bots WHERE username = $1`, [username])).rows[0]!.id));
    const person = api.sandbox.createUser({ firstName: 'Deniz' });
    const group = api.sandbox.createGroup({ title: 'Demo group', type: 'supergroup', memberIds: [person.id] });
    api.sandbox.addBotToGroup(telegramId, group.id);
    await page.getByRole('button', { name: 'Create a test bot' }).click();
    await status.nth(1).waitFor();
    await page.reload();
    const row = page.locator(`[data-testid=demo-groups] li[data-chat="${group.id}"]`);
    await row.getByText('People: Deniz').waitFor();
    await row.getByRole('button', { name: /^Add @kovan_test_/ }).click();
    await row.getByText('Your bots are in this group.').waitFor();
    await page.screenshot({ path: path.join(screenshotDir(), 'demo-bot-en-light.png'), fullPage: true });

    await page.evaluate(() => localStorage.setItem('kovan.language', 'tr'));
    await page.reload();
    await page.getByRole('button', { name: 'Test botu oluştur' }).waitFor();
    await row.getByText('Botlarınız bu grupta.').waitFor();
    await page.screenshot({ path: path.join(screenshotDir(), 'demo-bot-tr-light.png'), fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
