import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { signInitData, validateInitData } from '../../src/auth/index.js';
import { startTestApi, registerTenant, type TestApi } from '../helpers/api.js';

const platformToken = '7000000001:AAE_platform_bot_token_for_tests_only_x';
let api: TestApi;
before(async () => { api = await startTestApi({ config: { PLATFORM_BOT_TOKEN: platformToken } }); });
after(async () => { await api.close(); });

/** Fresh initData, as Telegram gives each launch of the Mini App (its own query_id). */
function initDataFor(userId: number, options: { authDate?: number; token?: string } = {}): string {
  return signInitData({
    auth_date: String(options.authDate ?? Math.floor(Date.now() / 1000)),
    query_id: `AAHdF6IQAAAAAN0X${randomBytes(6).toString('base64url')}`,
    user: JSON.stringify({ id: userId, first_name: 'Ayşe', username: 'ayse', language_code: 'tr' }),
    signature: 'sig-stays-in-the-check-string',
  }, options.token ?? platformToken);
}

test('validation follows Telegram: only hash removed, sorted pairs, HMAC with "WebAppData"', () => {
  // Known vector: computed independently with the documented algorithm.
  const data = 'auth_date=1700000000&user=%7B%22id%22%3A1%7D&hash=' + 'x'.repeat(64);
  assert.equal(validateInitData(data, 'token', 1e9, 1700000000_000).ok, false);
  const signed = initDataFor(42);
  assert.equal(validateInitData(signed, platformToken, 60).ok, true);
  assert.equal(validateInitData(signed.replace('Ay%C5%9Fe', 'Eve'), platformToken, 60).ok, false, 'tampered user');
  assert.equal(validateInitData(signed.replace(/signature=[^&]+&?/, ''), platformToken, 60).ok, false, 'signature is part of the check string');
});

test('unlinked Telegram user → 403 telegram_not_linked; link it; then initData logs in', async () => {
  const tgId = 5_000_000_000 + Math.floor(Math.random() * 1e6); // beyond 2^31
  const before = await api.request('POST', '/api/auth/telegram', { body: { initData: initDataFor(tgId) } });
  assert.equal(before.status, 403);
  assert.equal(before.body.code, 'telegram_not_linked');

  const t = await registerTenant(api, 'tg');
  const linked = await api.request('POST', '/api/auth/telegram/link', { token: t.token, body: { initData: initDataFor(tgId) } });
  assert.equal(linked.status, 200);
  assert.equal(linked.body.member.telegramUserId, tgId);

  const login = await api.request('POST', '/api/auth/telegram', { body: { initData: initDataFor(tgId) } });
  assert.equal(login.status, 200);
  assert.equal(login.body.tenantId, t.tenantId);

  const other = await registerTenant(api, 'tg2');
  const steal = await api.request('POST', '/api/auth/telegram/link', { token: other.token, body: { initData: initDataFor(tgId) } });
  assert.equal(steal.status, 409);
});

test('forged, stale and malformed initData are refused', async () => {
  const forged = await api.request('POST', '/api/auth/telegram', { body: { initData: initDataFor(1, { token: '123:another_bot_token_that_is_not_ours' }) } });
  assert.equal(forged.status, 401);
  assert.equal(forged.body.details.reason, 'bad_signature');
  const stale = await api.request('POST', '/api/auth/telegram', { body: { initData: initDataFor(1, { authDate: Math.floor(Date.now() / 1000) - 7200 }) } });
  assert.equal(stale.status, 401);
  assert.equal(stale.body.details.reason, 'expired');
  const junk = await api.request('POST', '/api/auth/telegram', { body: { initData: 'not=initdata' } });
  assert.equal(junk.status, 401);
});

test('initData dated ahead of the clock by more than a small skew is refused; within the skew it is accepted', async () => {
  const now = Math.floor(Date.now() / 1000);
  for (const ahead of [86_400, 10 * 365 * 86_400, 600]) {
    const r = await api.request('POST', '/api/auth/telegram', { body: { initData: initDataFor(1, { authDate: now + ahead }) } });
    assert.equal(r.status, 401, `${ahead} s ahead`);
    assert.equal(r.body.details.reason, 'future', `${ahead} s ahead`);
  }
  assert.equal(validateInitData(initDataFor(1, { authDate: now + 30 }), platformToken, 3600, now * 1000).ok, true, 'half a minute of clock drift is fine');
});

test('each initData logs in once: a replay, even in parallel, is refused; fresh initData from Telegram works', async () => {
  const tgId = 6_000_000_000 + Math.floor(Math.random() * 1e6);
  const t = await registerTenant(api, 'tgonce');
  // Not linked yet: the refusal does not spend the initData, which then links the account.
  const initData = initDataFor(tgId);
  assert.equal((await api.request('POST', '/api/auth/telegram', { body: { initData } })).status, 403);
  assert.equal((await api.request('POST', '/api/auth/telegram/link', { token: t.token, body: { initData } })).status, 200);
  const afterLink = await api.request('POST', '/api/auth/telegram', { body: { initData }, headers: { 'x-forwarded-for': '192.0.2.200' } });
  assert.equal(afterLink.status, 401, 'the initData that linked cannot log in again');
  assert.equal(afterLink.body.details.reason, 'replayed');

  const fresh = initDataFor(tgId);
  const attempts = await Promise.all(Array.from({ length: 5 }, (_, i) =>
    api.request('POST', '/api/auth/telegram', { body: { initData: fresh }, headers: { 'x-forwarded-for': `192.0.2.${i + 1}` } })));
  assert.deepEqual(attempts.map((r) => r.status).sort(), [200, 401, 401, 401, 401]);
  assert.ok(attempts.filter((r) => r.status === 401).every((r) => r.body.details.reason === 'replayed'));

  const later = await api.request('POST', '/api/auth/telegram', { body: { initData: initDataFor(tgId) } });
  assert.equal(later.status, 200, 'the next launch of the Mini App brings new initData, which logs in');
});
