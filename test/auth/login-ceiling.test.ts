import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, registerTenant, type TestApi } from '../helpers/api.js';
import { deviceCookieOf, resetTokenMailedTo } from './login-helpers.js';

/**
 * The per-account ceiling (100 guesses a day from unknown devices) and the owner's ways past
 * it. A file of its own: spending the ceiling costs 100 argon2 verifications.
 */
let api: TestApi;
before(async () => { api = await startTestApi(); });
after(async () => { await api.close(); });

/** A botnet: 20 addresses (`<prefix>.N`) × 5 wrong guesses, the account's whole budget for unknown devices. */
async function spendEveryAddressBudget(username: string, prefix: string): Promise<void> {
  await Promise.all(Array.from({ length: 20 }, async (_, a) => {
    for (let i = 0; i < 5; i++) {
      const r = await api.request('POST', '/api/auth/login', { body: { username, password: `guess ${a}/${i}` }, headers: { 'x-forwarded-for': `${prefix}.${a}` } });
      assert.equal(r.status, 401);
    }
  }));
}

test('a botnet meets a per-account ceiling; the owner still logs in from a device used before, or by the e-mail link', async () => {
  const t = await registerTenant(api, 'ceiling');
  const firstLogin = await api.request('POST', '/api/auth/login', { body: { username: t.username, password: t.password }, headers: { 'x-forwarded-for': '198.18.2.1' } });
  const device = deviceCookieOf(firstLogin);
  assert.match(device, /^kovan_device=/);
  await spendEveryAddressBudget(t.username, '198.18.3');
  const newDevice = await api.request('POST', '/api/auth/login', { body: { username: t.username, password: t.password }, headers: { 'x-forwarded-for': '198.18.4.1' } });
  assert.equal(newDevice.status, 429, 'from a device the account never used, the ceiling holds');
  assert.equal(newDevice.body.code, 'account_locked');

  const knownDevice = await api.request('POST', '/api/auth/login', { body: { username: t.username, password: t.password }, headers: { 'x-forwarded-for': '198.18.4.2', cookie: device } });
  assert.equal(knownDevice.status, 200, 'the device the owner used before is not locked out');
  const forged = device.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
  const forgedDevice = await api.request('POST', '/api/auth/login', { body: { username: t.username, password: t.password }, headers: { 'x-forwarded-for': '198.18.4.3', cookie: forged } });
  assert.equal(forgedDevice.status, 429, 'a forged device cookie counts for nothing');

  // From a new device, the e-mail link gets the owner in: the browser that used it becomes a known device.
  const from = { 'x-forwarded-for': '198.18.4.4' };
  await api.request('POST', '/api/auth/password-reset/request', { body: { email: t.email }, headers: from });
  const newPassword = 'a brand new passphrase';
  const reset = await api.request('POST', '/api/auth/password-reset/confirm', { body: { token: await resetTokenMailedTo(api, t.email), password: newPassword }, headers: from });
  assert.equal(reset.status, 204);
  const afterReset = await api.request('POST', '/api/auth/login', { body: { username: t.username, password: newPassword }, headers: { ...from, cookie: deviceCookieOf(reset) } });
  assert.equal(afterReset.status, 200);
});
