/**
 * Accounts in a plain browser (password login): register with errors shown by their fields,
 * log out and in, reset the password through the e-mailed link, and a lost connection that is
 * shown and recovered from.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { registerTenant } from '../helpers/api.js';
import { eventually } from '../helpers/processes.js';
import { apiAndBrowser, newPerson, openApp, registerInApp } from './browser.js';

const env = apiAndBrowser();

test('register: the API\'s field errors show by their fields; then the dashboard; log out and back in', async () => {
  const taken = await registerTenant(env.api, 'taken');
  const { page, context, errors } = await openApp(env.browser, env.api.url, { hash: '#/register' });
  await page.getByLabel('Username', { exact: true }).fill(taken.username);
  await page.getByLabel('E-mail').fill('not-an-address');
  await page.getByLabel('Password', { exact: true }).fill('correct horse battery staple');
  await page.getByRole('button', { name: 'Create account' }).click();
  const email = page.getByLabel('E-mail');
  await page.locator('.field.invalid').first().waitFor();
  assert.equal(await email.getAttribute('aria-invalid'), 'true', 'the e-mail field is marked');
  const describedBy = (await email.getAttribute('aria-describedby'))!.split(' ').at(-1)!;
  assert.match(await page.locator(`[id="${describedBy}"]`).innerText(), /email|e-mail/i, 'the message sits by the field');

  const person = newPerson('web');
  await page.getByLabel('Username', { exact: true }).fill(taken.username);
  await email.fill(person.email);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByText('is already taken').waitFor();

  await registerInApp(page, { ...person, tenant: 'Ayşe’s Bakery' });
  await page.goto(`${env.api.url}/#/settings`);
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('heading', { name: 'Log in' }).waitFor();
  await page.getByLabel('Username or e-mail').fill(person.email);
  await page.getByLabel('Password').fill('wrong password here');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByText('Wrong username or password.').waitFor();
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('password reset: request, open the e-mailed link, set a new password, log in with it', async () => {
  const owner = await registerTenant(env.api, 'reset');
  const { page, context, errors } = await openApp(env.browser, env.api.url, { hash: '#/login' });
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await page.getByLabel('E-mail').fill(owner.email);
  await page.getByRole('button', { name: 'Send the link' }).click();
  await page.getByText(/a reset link is on its way/).waitFor();

  const mail = await eventually(async () => {
    // The directory appears with the first e-mail, written after the 202 answer.
    const files = (existsSync(env.api.mailDir) ? readdirSync(env.api.mailDir, { withFileTypes: true }) : []).filter((f) => f.isFile()).map((f) => readFileSync(path.join(env.api.mailDir, f.name), 'utf8'));
    return files.find((text) => text.includes(owner.email.replace('@', '')) || text.includes(owner.email));
  }, 10_000, 'the reset e-mail');
  const link = /#\/reset-password\?token=([A-Za-z0-9%_=\-.]+)/.exec(mail.replace(/=\r?\n/g, ''))?.[0];
  assert.ok(link, 'the e-mail carries the Mini App link');
  await page.goto(`${env.api.url}/${link.replace(/=3D/g, '=')}`);
  await page.getByLabel('New password', { exact: true }).fill('a brand new passphrase');
  await page.getByLabel('New password again').fill('a different one');
  await page.getByRole('button', { name: 'Set the password' }).click();
  await page.getByText('The two passwords differ.').first().waitFor();
  await page.getByLabel('New password again').fill('a brand new passphrase');
  await page.getByRole('button', { name: 'Set the password' }).click();
  await page.getByText(/Your password is changed/).waitFor();

  await page.goto(`${env.api.url}/#/login`);
  await page.getByLabel('Username or e-mail').fill(owner.username);
  await page.getByLabel('Password').fill('a brand new passphrase');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('a lost connection is shown, retried, and the screen loads when the server is back', async () => {
  const person = newPerson('net');
  const { page, context } = await openApp(env.browser, env.api.url, { hash: '#/register' });
  await registerInApp(page, person);
  await page.route('**/api/**', (route) => route.abort('internetdisconnected'));
  await page.route('**/healthz', (route) => route.abort('internetdisconnected'));
  await page.goto(`${env.api.url}/#/templates`);
  await page.getByTestId('offline-banner').waitFor();
  await page.getByText('Kovan cannot be reached').first().waitFor();
  await page.unroute('**/api/**');
  await page.unroute('**/healthz');
  await page.getByTestId('offline-banner').waitFor({ state: 'detached', timeout: 20_000 });
  await page.getByRole('heading', { name: 'Messages' }).waitFor();
  await context.close();
});

test('a late answer to a request sent before the connection was lost does not hide the banner', async () => {
  const person = newPerson('late');
  const { page, context } = await openApp(env.browser, env.api.url, { hash: '#/register' });
  await registerInApp(page, person);
  // The network holds the Templates screen's request and answers it only after the outage began.
  let release!: () => void;
  let heldOne!: () => void;
  const released = new Promise<void>((resolve) => { release = resolve; });
  const holding = new Promise<void>((resolve) => { heldOne = resolve; });
  await page.route('**/api/templates/**', async (route) => { heldOne(); await released; await route.continue(); });
  await page.goto(`${env.api.url}/#/templates`);
  await holding;
  await page.route('**/api/groups/**', (route) => route.abort('internetdisconnected'));
  await page.route('**/healthz', (route) => route.abort('internetdisconnected'));
  await page.goto(`${env.api.url}/#/groups`);
  await page.getByTestId('offline-banner').waitFor();
  // Record whether the banner goes away even for a moment (a screen refetching on "back online" could bring it back).
  await page.evaluate(() => {
    const flags = window as unknown as { bannerWentAway: boolean };
    flags.bannerWentAway = false;
    new MutationObserver(() => {
      if (!document.querySelector('[data-testid="offline-banner"]')) flags.bannerWentAway = true;
    }).observe(document.body, { childList: true, subtree: true });
  });
  const lateAnswer = page.waitForEvent('requestfinished', (request) => request.url().includes('/api/templates/'));
  release();
  assert.equal((await (await lateAnswer).response())?.status(), 200, 'the held request was answered');
  await new Promise((resolve) => setTimeout(resolve, 300));
  const wentAway = await page.evaluate(() => (window as unknown as { bannerWentAway: boolean }).bannerWentAway);
  assert.equal(wentAway, false, 'the banner stays while the server is still unreachable');
  await context.close();
});
