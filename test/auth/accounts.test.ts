import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, registerTenant, type TestApi } from '../helpers/api.js';
import { deviceCookieOf, resetTokenMailedTo } from './login-helpers.js';

let api: TestApi;
before(async () => { api = await startTestApi(); });
after(async () => { await api.close(); });

/** Counts the argon2 verifications the server runs from now until `stop()`. */
function countVerifications(): { stop(): number } {
  const hasher = api.services.hasher;
  const original = hasher.verify;
  let calls = 0;
  hasher.verify = (...args) => { calls++; return original.apply(hasher, args); };
  return { stop: () => { hasher.verify = original; return calls; } };
}

describe('register', () => {
  test('creates a tenant, its owner and a Basic trial, and logs in', async () => {
    const t = await registerTenant(api, 'reg');
    const me = await api.request('GET', '/api/auth/me', { token: t.token });
    assert.equal(me.status, 200);
    assert.equal(me.body.member.username, t.username);
    assert.equal(me.body.member.role, 'owner');
    assert.equal(me.body.tenant.id, t.tenantId);
    assert.equal(me.body.plan.plan.code, 'basic');
    assert.equal(me.body.plan.status, 'trialing');
    assert.equal(me.body.plan.maxGroups, 5);
    assert.equal(me.body.plan.messagesPerDay, 100);
    assert.equal(me.body.member.password_hash, undefined);
  });

  test('a taken username or e-mail is a 409 naming the field', async () => {
    const t = await registerTenant(api, 'dup');
    const sameName = await api.request('POST', '/api/auth/register', { body: { username: t.username, email: 'other@example.test', password: 'another fine passphrase' } });
    assert.equal(sameName.status, 409);
    assert.deepEqual(sameName.body.fields.map((f: { field: string }) => f.field), ['username']);
    const sameMail = await api.request('POST', '/api/auth/register', { body: { username: 'brandnew' + Date.now() % 1e6, email: t.email.toUpperCase(), password: 'another fine passphrase' } });
    assert.equal(sameMail.status, 409);
    assert.deepEqual(sameMail.body.fields.map((f: { field: string }) => f.field), ['email']);
  });

  test('weak passwords are refused by a strength estimate, with a stable code and values the Mini App words', async () => {
    const cases = [
      ['short', 'password_too_short', /at least 8/],
      ['password123', 'password_weak', /too easy to guess \(this is a commonly used password\)/],
      ['iloveyou123', 'password_weak', /too easy to guess \(this is similar to a commonly used password\)/],
      ['qwertyuiop', 'password_weak', /too easy to guess/],
    ] as const;
    for (const [password, code, reason] of cases) {
      const r = await api.request('POST', '/api/auth/register', { body: { username: 'weak' + Math.floor(Math.random() * 1e6), email: `w${Math.random()}@example.test`, password } });
      assert.equal(r.status, 400, password);
      assert.equal(r.body.code, 'validation_failed');
      assert.deepEqual({ field: r.body.fields[0].field, code: r.body.fields[0].code }, { field: 'password', code }, password);
      assert.match(r.body.detail + r.body.fields[0].message, reason);
    }
    const weak = await api.request('POST', '/api/auth/register', { body: { username: 'weakling' + Math.floor(Math.random() * 1e6), email: `w${Math.random()}@example.test`, password: 'password123' } });
    assert.deepEqual(weak.body.fields[0].params, { warning: 'common', suggestions: 'anotherWord' });
  });

  test('a password made of the account’s own username is too easy to guess', async () => {
    const username = 'zeynepkaya' + Math.floor(Math.random() * 1e3);
    const r = await api.request('POST', '/api/auth/register', { body: { username, email: `${username}@example.test`, password: `${username}!` } });
    assert.deepEqual([r.status, r.body.fields?.[0]?.code], [400, 'password_weak'], r.text);
  });

  test('the password is stored as argon2id, never in clear', async () => {
    const t = await registerTenant(api, 'hash');
    const stored = await api.services.db.withTenant(t.tenantId, async (tx) => (await tx.query<{ password_hash: string }>('SELECT password_hash FROM members')).rows[0]!.password_hash);
    assert.match(stored, /^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    assert.ok(!stored.includes(t.password), 'the password is not stored');
  });
});

describe('login and sessions', () => {
  test('by username or e-mail; the token works as bearer and as cookie; logout revokes it', async () => {
    const t = await registerTenant(api, 'login');
    const byName = await api.request('POST', '/api/auth/login', { body: { username: t.username, password: t.password } });
    assert.equal(byName.status, 200);
    assert.match(byName.headers.get('set-cookie') ?? '', /kovan_session=kvs_[\w-]+;.*HttpOnly/i);
    const byMail = await api.request('POST', '/api/auth/login', { body: { username: t.email, password: t.password } });
    assert.equal(byMail.status, 200);
    assert.notEqual(byMail.body.token, byName.body.token);

    const viaCookie = await api.request('GET', '/api/auth/me', { headers: { cookie: `kovan_session=${byName.body.token}` } });
    assert.equal(viaCookie.status, 200);

    assert.equal((await api.request('POST', '/api/auth/logout', { token: byName.body.token })).status, 204);
    assert.equal((await api.request('GET', '/api/auth/me', { token: byName.body.token })).status, 401);
    assert.equal((await api.request('GET', '/api/auth/me', { token: byMail.body.token })).status, 200, 'other sessions live on');
  });

  test('sessions are stored hashed: the token is not in the database', async () => {
    const t = await registerTenant(api, 'sess');
    const hashes = await api.services.db.withTenant(t.tenantId, async (tx) => (await tx.query<{ h: string }>(`SELECT encode(token_hash, 'hex') AS h FROM sessions`)).rows);
    assert.equal(hashes.length, 1);
    assert.ok(!hashes[0]!.h.includes(Buffer.from(t.token).toString('hex')), 'the token is not stored');
    assert.equal(hashes[0]!.h.length, 64);
  });

  test('wrong password and unknown user give the same answer', async () => {
    const t = await registerTenant(api, 'same');
    const wrong = await api.request('POST', '/api/auth/login', { body: { username: t.username, password: 'not the password' } });
    const unknown = await api.request('POST', '/api/auth/login', { body: { username: 'nobody' + Date.now(), password: 'not the password' } });
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    assert.equal(wrong.body.detail, unknown.body.detail);
  });

  test('an unknown login and a wrong password get the same answers, locked or not, after the same work', async () => {
    const t = await registerTenant(api, 'same2');
    const answers = async (login: string, client: string) => {
      const verified = countVerifications();
      const seen: string[] = [];
      for (let i = 0; i < 7; i++) {
        const r = await api.request('POST', '/api/auth/login', { body: { username: login, password: 'guess ' + i }, headers: { 'x-forwarded-for': client } });
        seen.push(`${r.status} ${r.body.code} ${r.body.detail.replace(/\d+ s\b/, 'N s')} retry-after:${r.headers.has('retry-after')}`);
      }
      return { seen, verifications: verified.stop() };
    };
    const known = await answers(t.username, '192.0.2.71');
    const unknown = await answers('nobody' + Date.now(), '192.0.2.72');
    assert.deepEqual(unknown, known);
    assert.deepEqual(known.seen.map((a) => a.split(' ')[0]), ['401', '401', '401', '401', '401', '429', '429']);
    assert.equal(known.verifications, 5, 'every checked attempt costs one argon2 verification; refused ones none');
  });

  test("guessing at an account from one address does not lock its owner out elsewhere", async () => {
    const t = await registerTenant(api, 'victim');
    for (let i = 0; i < 10; i++) {
      await api.request('POST', '/api/auth/login', { body: { username: t.username, password: 'guess ' + i }, headers: { 'x-forwarded-for': '198.18.0.66' } });
    }
    const attacker = await api.request('POST', '/api/auth/login', { body: { username: t.username, password: t.password }, headers: { 'x-forwarded-for': '198.18.0.66' } });
    assert.equal(attacker.status, 429, 'the guessing address is held back, even with the right password');
    assert.equal(attacker.body.code, 'account_locked');
    const retryAfter = Number(attacker.headers.get('retry-after'));
    assert.ok(retryAfter > 0 && retryAfter <= 15 * 60, `retry-after ${retryAfter}`);
    const owner = await api.request('POST', '/api/auth/login', { body: { username: t.username, password: t.password }, headers: { 'x-forwarded-for': '198.18.0.67' } });
    assert.equal(owner.status, 200, 'the owner, elsewhere, logs in');
  });

  test('20 parallel wrong tries check only the allowed number of passwords', async () => {
    const t = await registerTenant(api, 'burst');
    const verified = countVerifications();
    const tries = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      api.request('POST', '/api/auth/login', { body: { username: t.username, password: 'guess ' + i }, headers: { 'x-forwarded-for': '198.18.1.20' } })));
    assert.equal(verified.stop(), 5);
    assert.deepEqual(tries.map((r) => r.status).sort(), [...Array(5).fill(401), ...Array(15).fill(429)]);
  });

  test('auth routes are rate limited per client with RateLimit headers', async () => {
    let last;
    const client = { 'x-forwarded-for': '203.0.113.77' };
    for (let i = 0; i < 21; i++) last = await api.request('POST', '/api/auth/login', { body: { username: 'rl-nobody', password: 'whatever it is' }, headers: client });
    assert.equal(last!.status, 429);
    assert.equal(last!.body.code, 'rate_limited');
    assert.equal(last!.headers.get('ratelimit-limit'), '20');
    assert.equal(last!.headers.get('ratelimit-remaining'), '0');
    const otherClient = await api.request('POST', '/api/auth/login', { body: { username: 'rl-nobody', password: 'whatever it is' }, headers: { 'x-forwarded-for': '203.0.113.78' } });
    assert.equal(otherClient.status, 401, 'another client has its own budget');
  });
});

describe('password reset', () => {
  test('request answers identically for known and unknown addresses', async () => {
    const t = await registerTenant(api, 'rq');
    const known = await api.request('POST', '/api/auth/password-reset/request', { body: { email: t.email }, headers: { 'x-forwarded-for': '1.1.1.1' } });
    const unknown = await api.request('POST', '/api/auth/password-reset/request', { body: { email: `ghost${Date.now()}@example.test` }, headers: { 'x-forwarded-for': '1.1.1.2' } });
    assert.equal(known.status, 202);
    assert.equal(unknown.status, 202);
    assert.deepEqual(known.body, unknown.body);
  });

  test('the e-mailed token sets a new password once, and ends every session', async () => {
    const t = await registerTenant(api, 'rst');
    await api.request('POST', '/api/auth/password-reset/request', { body: { email: t.email } });
    const token = await resetTokenMailedTo(api, t.email);
    const newPassword = 'a brand new passphrase';

    const done = await api.request('POST', '/api/auth/password-reset/confirm', { body: { token, password: newPassword } });
    assert.equal(done.status, 204);
    assert.equal((await api.request('GET', '/api/auth/me', { token: t.token })).status, 401, 'old session ended');
    assert.equal((await api.request('POST', '/api/auth/login', { body: { username: t.username, password: t.password } })).status, 401);
    assert.equal((await api.request('POST', '/api/auth/login', { body: { username: t.username, password: newPassword } })).status, 200);

    const again = await api.request('POST', '/api/auth/password-reset/confirm', { body: { token, password: 'yet another passphrase' } });
    assert.equal(again.status, 400);
    assert.equal(again.body.fields[0].field, 'token');
  });
});
