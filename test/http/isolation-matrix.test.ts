import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, registerTenant, type TestApi } from '../helpers/api.js';
import { resourceFactories } from '../helpers/resources.js';
import '../helpers/resource-kinds.js';

/**
 * The API isolation matrix, generated from the registered route table: every non-public
 * route refuses a request without a session (401), and every route that names a resource
 * answers 404 when tenant A asks for tenant B's. New routes join automatically.
 */
let api: TestApi;
let a: Awaited<ReturnType<typeof registerTenant>>;
let b: Awaited<ReturnType<typeof registerTenant>>;

before(async () => {
  api = await startTestApi();
  a = await registerTenant(api, 'isoa');
  b = await registerTenant(api, 'isob');
});
after(async () => { await api.close(); });

const param = /:([A-Za-z_]+)/g;
/** Non-global twin for `.test()`: a /g regex keeps `lastIndex` between calls and skips matches. */
const hasParam = /:[A-Za-z_]+/;
const isDocs = (url: string) => url.startsWith('/api/docs') || url === '/api/openapi.json';

test('the route table is not empty and every /api route declares its access', () => {
  const apiRoutes = api.routes.filter((r) => r.url.startsWith('/api/') && !isDocs(r.url));
  assert.ok(apiRoutes.length >= 9, `found ${apiRoutes.length} routes`);
  for (const r of apiRoutes) assert.ok(['public', 'viewer', 'admin', 'owner'].includes(r.auth), `${r.method} ${r.url}`);
});

test('every non-public route: 401 without a session, and with a forged token', async (t) => {
  for (const route of api.routes.filter((r) => r.auth !== 'public')) {
    await t.test(`${route.method} ${route.url}`, async () => {
      const url = route.url.replace(param, '00000000-0000-4000-8000-000000000000');
      const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : route.example ?? {};
      const anonymous = await api.request(route.method, url, { body });
      assert.equal(anonymous.status, 401, anonymous.text);
      assert.equal(anonymous.body.code, 'unauthenticated');
      const forged = await api.request(route.method, url, { body, token: 'kvs_' + 'A'.repeat(43) });
      assert.equal(forged.status, 401, forged.text);
    });
  }
});

test("every route naming a resource: tenant B's id answers 404 to tenant A", async (t) => {
  const withParams = api.routes.filter((r) => hasParam.test(r.url) && r.url.startsWith('/api/'));
  for (const route of withParams) {
    await t.test(`${route.method} ${route.url}`, async () => {
      assert.ok(route.resource, `${route.url} has a path parameter but declares no config.resource`);
      const factory = resourceFactories[route.resource!];
      assert.ok(factory, `no test factory for resource kind "${route.resource}" (test/helpers/resource-kinds.ts)`);
      const id = await factory(api, b);
      const url = route.url.replace(param, id);
      const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : route.example ?? {};
      const response = await api.request(route.method, url, { token: a.token, body });
      assert.equal(response.status, 404, `${route.method} ${url}: ${response.text}`);
      assert.equal(response.body.code, 'not_found');
      const own = await api.request(route.method === 'DELETE' ? 'GET' : route.method, url, { token: b.token, body: route.method === 'DELETE' || route.method === 'GET' ? undefined : body });
      assert.notEqual(own.status, 404, `B can reach its own ${route.resource} (${own.text})`);
    });
  }
});
