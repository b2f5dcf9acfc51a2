import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { setPlan, newTenant, type Session } from '../helpers/rest-api.js';
import type { PlanCode } from '../../src/tenancy/index.js';

/**
 * The plan matrix: one tenant per plan, each gated call answers 403 `plan_required` with
 * the plan that unlocks it in `details.requiredPlan`, and the plans that include it answer.
 */
let api: TestApi;
const tenants = {} as Record<Exclude<PlanCode, 'enterprise'>, Session>;

before(async () => {
  api = await startTestApi();
  for (const plan of ['basic', 'advanced', 'premium'] as const) {
    tenants[plan] = await newTenant(api, `plan${plan.slice(0, 3)}`);
    await setPlan(api, tenants[plan].tenantId, plan);
  }
});
after(async () => { await api.close(); });

const today = () => new Date().toISOString().slice(0, 10);
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

interface GatedCall {
  name: string;
  method: string;
  url: () => string;
  body?: unknown;
  /** The cheapest plan that may make this call. */
  needs: PlanCode;
}

const calls: GatedCall[] = [
  { name: 'dashboard summary', method: 'GET', url: () => '/api/dashboard/stats', needs: 'basic' },
  { name: 'dashboard 30-day series', method: 'GET', url: () => `/api/dashboard/stats?start_date=${daysAgo(29)}&end_date=${today()}`, needs: 'advanced' },
  { name: 'dashboard 90 days back', method: 'GET', url: () => `/api/dashboard/stats?start_date=${daysAgo(89)}`, needs: 'premium' },
  { name: 'dashboard per-group breakdown', method: 'GET', url: () => '/api/dashboard/stats?breakdown=group', needs: 'premium' },
  { name: 'dashboard CSV export', method: 'GET', url: () => '/api/dashboard/stats?format=csv', needs: 'premium' },
  { name: 'users stats summary', method: 'GET', url: () => '/api/users/stats', needs: 'basic' },
  { name: 'users stats 30 days', method: 'GET', url: () => `/api/users/stats?start_date=${daysAgo(29)}`, needs: 'advanced' },
  { name: 'users stats a year back', method: 'GET', url: () => `/api/users/stats?start_date=${daysAgo(300)}`, needs: 'premium' },
  { name: 'users stats CSV', method: 'GET', url: () => '/api/users/stats?format=csv', needs: 'premium' },
  { name: 'history CSV export', method: 'GET', url: () => '/api/messages/history?format=csv', needs: 'premium' },
  { name: 'history JSON', method: 'GET', url: () => '/api/messages/history', needs: 'basic' },
  { name: 'create an API key', method: 'POST', url: () => '/api/api-keys', body: { name: 'k', scopes: ['read'] }, needs: 'premium' },
  { name: 'register a webhook', method: 'POST', url: () => '/api/webhooks', body: { url: 'http://127.0.0.1:9/x' }, needs: 'premium' },
  { name: 'advanced template (Liquid tags)', method: 'POST', url: () => '/api/templates', body: { kind: 'message', name: `adv${Math.random()}`, content: '{% if first_name %}Hi{% endif %}' }, needs: 'premium' },
];

const rank: Record<PlanCode, number> = { basic: 1, advanced: 2, premium: 3, enterprise: 4 };

for (const call of calls) {
  test(`${call.name}: needs ${call.needs}`, async () => {
    for (const [plan, session] of Object.entries(tenants) as Array<[PlanCode, Session]>) {
      const r = await api.request(call.method, call.url(), { token: session.token, body: call.body });
      if (rank[plan] >= rank[call.needs]) {
        assert.ok(r.status >= 200 && r.status < 300, `${plan}: ${r.status} ${r.text.slice(0, 300)}`);
      } else {
        assert.equal(r.status, 403, `${plan}: ${r.text}`);
        assert.equal(r.body.code, 'plan_required');
        assert.equal(r.body.details.requiredPlan, call.needs, `${plan}: ${r.text}`);
      }
    }
  });
}

test('what each plan sees in the dashboard', async () => {
  const basic = (await api.request('GET', '/api/dashboard/stats', { token: tenants.basic.token })).body;
  assert.equal(basic.analytics, 'summary');
  assert.equal(basic.series, null);
  assert.equal(basic.range.days, 7);
  assert.equal(typeof basic.totals.messagesIn, 'number');
  assert.equal(basic.quota.limit, 100);
  const advanced = (await api.request('GET', '/api/dashboard/stats', { token: tenants.advanced.token })).body;
  assert.equal(advanced.analytics, 'basic');
  assert.equal(advanced.series.length, 30);
  assert.equal(advanced.groups, null);
  const premium = (await api.request('GET', '/api/users/stats', { token: tenants.premium.token })).body;
  assert.equal(premium.analytics, 'advanced');
  assert.ok(Array.isArray(premium.retention));
  assert.ok(Array.isArray(premium.topGroups));
  const basicUsers = (await api.request('GET', '/api/users/stats', { token: tenants.basic.token })).body;
  assert.equal(basicUsers.retention, null);
  assert.equal(basicUsers.series, null);
});

test('a downgrade takes effect at once', async () => {
  const session = await newTenant(api, 'planflip');
  await setPlan(api, session.tenantId, 'premium');
  assert.equal((await api.request('GET', '/api/dashboard/stats?breakdown=group', { token: session.token })).status, 200);
  await setPlan(api, session.tenantId, 'basic');
  const r = await api.request('GET', '/api/dashboard/stats?breakdown=group', { token: session.token });
  assert.equal(r.status, 403);
  assert.equal(r.body.details.requiredPlan, 'premium');
});
