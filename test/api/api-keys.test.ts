import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { addTeammate, setPlan, newTenant, type Session } from '../helpers/rest-api.js';

/** The API-key lifecycle: plan gate, create (shown once), use, scopes, limits, expiry, revoke. */
let api: TestApi;
let owner: Session;

before(async () => {
  api = await startTestApi();
  owner = await newTenant(api, 'keys');
});
after(async () => { await api.close(); });

async function createKey(body: Record<string, unknown>, session: Session = owner) {
  const r = await api.request('POST', '/api/api-keys', { token: session.token, body });
  assert.equal(r.status, 201, r.text);
  return r.body as { apiKey: { id: string; prefix: string; last4: string; scopes: string[]; lastUsedAt: string | null }; key: string };
}

test('lower plans get 403 naming Premium', async () => {
  await setPlan(api, owner.tenantId, 'advanced');
  const r = await api.request('POST', '/api/api-keys', { token: owner.token, body: { name: 'ci', scopes: ['read'] } });
  assert.equal(r.status, 403);
  assert.equal(r.body.code, 'plan_required');
  assert.equal(r.body.details.requiredPlan, 'premium');
  await setPlan(api, owner.tenantId, 'premium');
});

test('a key is shown once, stored hashed, and works as a bearer token', async () => {
  const { apiKey, key } = await createKey({ name: 'reporting', scopes: ['read'] });
  assert.match(key, /^kvk_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$/);
  assert.equal(key.slice(4, 12), apiKey.prefix);
  assert.equal(key.slice(-4), apiKey.last4);
  assert.equal(apiKey.lastUsedAt, null);

  const listed = await api.request('GET', '/api/api-keys', { token: owner.token });
  assert.ok(!listed.text.includes(key), 'the key is never shown again');
  const stored = await api.services.db.withOwner(async (tx) => (await tx.query<{ token_hash: Buffer }>(`SELECT token_hash FROM api_keys WHERE id = $1`, [apiKey.id])).rows[0]!);
  assert.equal(Buffer.from(stored.token_hash).length, 32, 'SHA-256 only');

  const r = await api.request('GET', '/api/groups', { token: key });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('ratelimit-limit'), '600');
  assert.ok(Number(r.headers.get('ratelimit-remaining')) < 600);
  const used = await api.request('GET', `/api/api-keys/${apiKey.id}`, { token: owner.token });
  assert.ok(used.body.apiKey.lastUsedAt, 'last use is recorded');
});

test('scopes: read keys act as viewers, write keys as admins, none as owners', async () => {
  const read = (await createKey({ name: 'read', scopes: ['read'] })).key;
  const write = (await createKey({ name: 'write', scopes: ['read', 'write'] })).key;
  const template = { kind: 'message', name: `by key ${Date.now()}`, content: 'Hello {first_name}' };
  const denied = await api.request('POST', '/api/templates', { token: read, body: template });
  assert.equal(denied.status, 403);
  assert.equal(denied.body.code, 'forbidden');
  const created = await api.request('POST', '/api/templates', { token: write, body: template });
  assert.equal(created.status, 201, created.text);
  const audit = await api.request('GET', '/api/audit-log?entity=template', { token: owner.token });
  assert.equal(audit.body.items[0].memberId, owner.memberId, 'changes by a key are audited as its maker');
  for (const key of [read, write]) {
    const r = await api.request('GET', '/api/api-keys', { token: key });
    assert.equal(r.status, 403, 'keys cannot manage keys');
  }
});

test('a key never has more rights than its maker has now', async () => {
  const second = await addTeammate(api, owner, 'owner');
  const { key } = await createKey({ name: 'made by second', scopes: ['write'] }, second);
  await api.request('PATCH', `/api/members/${second.memberId}`, { token: owner.token, body: { role: 'viewer' } });
  const r = await api.request('POST', '/api/templates', { token: key, body: { kind: 'message', name: `capped ${Date.now()}`, content: 'Hi' } });
  assert.equal(r.status, 403);
  await api.request('DELETE', `/api/members/${second.memberId}`, { token: owner.token });
  const afterRemoval = await api.request('GET', '/api/groups', { token: key });
  assert.equal(afterRemoval.status, 401, 'a removed member’s keys are revoked');
});

test('per-key rate limit with RateLimit-* headers and Retry-After', async () => {
  const { key } = await createKey({ name: 'tight', scopes: ['read'], rate_limit_per_minute: 3 });
  const statuses: number[] = [];
  let last;
  for (let i = 0; i < 4; i++) {
    last = await api.request('GET', '/api/templates', { token: key });
    statuses.push(last.status);
  }
  assert.deepEqual(statuses, [200, 200, 200, 429]);
  assert.equal(last!.body.code, 'rate_limited');
  assert.equal(last!.headers.get('ratelimit-limit'), '3');
  assert.equal(last!.headers.get('ratelimit-remaining'), '0');
  assert.ok(Number(last!.headers.get('retry-after')) >= 1);
  const otherKey = (await createKey({ name: 'untouched', scopes: ['read'] })).key;
  assert.equal((await api.request('GET', '/api/templates', { token: otherKey })).status, 200, 'budgets are per key');
});

test('revoked, expired, forged and downgraded keys are refused', async () => {
  const { apiKey, key } = await createKey({ name: 'to revoke', scopes: ['read'] });
  const revoke = await api.request('DELETE', `/api/api-keys/${apiKey.id}`, { token: owner.token });
  assert.equal(revoke.status, 200);
  assert.ok(revoke.body.apiKey.revokedAt);
  const revoked = await api.request('GET', '/api/groups', { token: key });
  assert.equal(revoked.status, 401);
  assert.match(revoked.body.detail, /revoked/);

  const soon = await createKey({ name: 'expiring', scopes: ['read'], expires_at: new Date(Date.now() + 60_000).toISOString() });
  await api.services.db.withOwner((tx) => tx.query(`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [soon.apiKey.id]));
  const expired = await api.request('GET', '/api/groups', { token: soon.key });
  assert.equal(expired.status, 401);
  assert.match(expired.body.detail, /expired/);

  const forged = key.slice(0, -4) + (key.endsWith('AAAA') ? 'BBBB' : 'AAAA');
  assert.equal((await api.request('GET', '/api/groups', { token: forged })).status, 401);
  assert.equal((await api.request('GET', '/api/groups', { token: 'kvk_zzzzzzzz_' + 'A'.repeat(43) })).status, 401);

  const live = await createKey({ name: 'downgraded', scopes: ['read'] });
  await setPlan(api, owner.tenantId, 'advanced');
  const downgraded = await api.request('GET', '/api/groups', { token: live.key });
  assert.equal(downgraded.status, 403);
  assert.equal(downgraded.body.details.requiredPlan, 'premium');
  await setPlan(api, owner.tenantId, 'premium');
  assert.equal((await api.request('GET', '/api/groups', { token: live.key })).status, 200);
});

test('creation input is validated', async () => {
  for (const [body, field] of [
    [{ name: '', scopes: ['read'] }, 'name'],
    [{ name: 'x', scopes: [] }, 'scopes'],
    [{ name: 'x', scopes: ['admin'] }, 'scopes.0'],
    [{ name: 'x', scopes: ['read'], expires_at: 'tomorrow' }, 'expires_at'],
    [{ name: 'x', scopes: ['read'], expires_at: '2001-01-01T00:00:00Z' }, 'expires_at'],
    [{ name: 'x', scopes: ['read'], rate_limit_per_minute: 0 }, 'rate_limit_per_minute'],
  ] as const) {
    const r = await api.request('POST', '/api/api-keys', { token: owner.token, body });
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.equal(r.body.fields[0].field, field, r.text);
  }
});
