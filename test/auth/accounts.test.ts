import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { startTestApi, registerTenant, type TestApi } from '../helpers/api.js';

let api: TestApi;
before(async () => { api = await startTestApi(); });
after(async () => { await api.close(); });

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

  test('repeated failures lock the account exponentially, even for the right password', async () => {
    const t = await registerTenant(api, 'lock');
    for (let i = 0; i < 5; i++) {
      const r = await api.request('POST', '/api/auth/login', { body: { username: t.username, password: 'guess ' + i }, headers: { 'x-forwarded-for': `10.0.0.${i}` } });
      assert.equal(r.status, 401);
    }
    const locked = await api.request('POST', '/api/auth/login', { body: { username: t.username, password: t.password } });
    assert.equal(locked.status, 429);
    assert.equal(locked.body.code, 'account_locked');
    const retryAfter = Number(locked.headers.get('retry-after'));
    assert.ok(retryAfter > 0 && retryAfter <= 60, `retry-after ${retryAfter}`);
    const lockedUntil = await api.services.db.withTenant(t.tenantId, async (tx) => (await tx.query<{ s: number }>(`SELECT extract(epoch FROM locked_until - now()) AS s FROM members`)).rows[0]!.s);
    assert.ok(lockedUntil > 50 && lockedUntil <= 60, `first lock is about a minute (${lockedUntil})`);
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
  async function mailTo(address: string): Promise<string | undefined> {
    const files = await readdir(api.mailDir).catch(() => [] as string[]);
    const file = files.filter((f) => f.includes(address)).sort().at(-1);
    return file && readFile(path.join(api.mailDir, file), 'utf8');
  }
  async function waitForMail(address: string): Promise<string> {
    for (let i = 0; i < 100; i++) {
      const mail = await mailTo(address);
      if (mail) return mail;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no e-mail to ${address}`);
  }

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
    const mail = await waitForMail(t.email);
    const body = mail.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    const token = decodeURIComponent(/token=([\w%-]+)/.exec(body)![1]!);
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
