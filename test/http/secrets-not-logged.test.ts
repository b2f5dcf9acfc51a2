import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, registerTenant, type TestApi } from '../helpers/api.js';

let api: TestApi;
before(async () => { api = await startTestApi(); });
after(async () => { await api.close(); });

test('passwords, session tokens and cookies never reach the logs', async () => {
  const t = await registerTenant(api, 'log');
  await api.request('POST', '/api/auth/login', { body: { username: t.username, password: t.password } });
  await api.request('GET', '/api/auth/me', { token: t.token });
  await api.request('GET', '/api/auth/me', { headers: { cookie: `kovan_session=${t.token}` } });
  await api.request('POST', '/api/auth/login', { body: { username: t.username, password: 'wrong password!' } });
  const all = api.logs.join('');
  assert.ok(api.logs.length > 5, 'requests were logged');
  assert.ok(all.includes('request_id'), 'log lines carry the request id');
  assert.ok(api.logs.some((line) => line.includes(`"tenant_id":"${t.tenantId}"`) && line.includes('request completed')), 'authenticated request logs carry the tenant id');
  for (const secret of [t.password, t.token, 'wrong password!']) assert.ok(!all.includes(secret), `log leaked ${secret.slice(0, 6)}…`);
});
