import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { startTestApi, registerTenant, type TestApi } from '../helpers/api.js';
import { resourceFactories } from '../helpers/resources.js';
import { setPlan } from '../helpers/rest-api.js';
import { problemResponseSchema } from '../../src/http/response-contract.js';
import { grantOperator } from '../../src/tenancy/index.js';
import type { Api } from '../../src/http/types.js';
import '../helpers/resource-kinds.js';

/**
 * The response half of the API contract (docs/API.md, "Responses"): every documented route
 * declares its answers, problems share one schema, and an answer the schema does not
 * describe is an error outside production. Walks the route table: new routes join.
 */
const probe = (api: Api) => {
  const answer = z.object({ name: z.string(), count: z.number().int() });
  api.get('/api/test-probe/matching', { schema: { response: { 200: answer } }, config: { auth: 'public' } }, async () => ({ name: 'a', count: 1 }));
  api.get('/api/test-probe/mistyped', { schema: { response: { 200: answer } }, config: { auth: 'public' } },
    async () => ({ name: 'a', count: 'one' }) as unknown as z.output<typeof answer>);
  api.get('/api/test-probe/undeclared', { schema: { response: { 200: answer } }, config: { auth: 'public' } },
    async () => ({ name: 'a', count: 1, secretField: 'x' }) as z.output<typeof answer>);
};

let api: TestApi;
let owner: Awaited<ReturnType<typeof registerTenant>>;
let document: { paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, unknown> }> }>>; components?: { schemas?: Record<string, unknown> } };

before(async () => {
  api = await startTestApi({ extraRoutes: [probe] });
  owner = await registerTenant(api, 'contract');
  document = (await api.request('GET', '/api/openapi.json')).body;
});
after(async () => { await api.close(); });

const apiRoutes = () => api.routes.filter((r) => r.documented && r.url.startsWith('/api/') && !r.url.startsWith('/api/test-probe'));
const openApiPath = (url: string) => url.replace(/:([A-Za-z_]+)/g, '{$1}');

test('every documented route declares a success answer, and the problem answers', () => {
  assert.ok(apiRoutes().length >= 80, `documented routes: ${apiRoutes().length}`);
  for (const route of apiRoutes()) {
    const name = `${route.method} ${route.url}`;
    assert.ok(route.responses.some((s) => /^2\d\d$/.test(s)), `${name} declares no 2xx answer (schema.response)`);
    assert.ok(route.responses.includes('4xx') && route.responses.includes('5xx'), `${name} has no problem answers`);
    const operation = document.paths[openApiPath(route.url)]?.[route.method.toLowerCase()];
    assert.ok(operation?.responses, `${name} is not in /api/openapi.json`);
    const problem = operation.responses['4XX']?.content?.['application/problem+json'] as { schema?: { $ref?: string } } | undefined;
    assert.equal(problem?.schema?.$ref, '#/components/schemas/Problem', `${name}: 4XX is not the shared Problem`);
  }
  assert.ok(document.components?.schemas?.Problem, 'the Problem schema is a named component');
});

test('an answer its schema does not describe fails (500) instead of reaching the caller', async () => {
  const good = await api.request('GET', '/api/test-probe/matching');
  assert.equal(good.status, 200, good.text);
  assert.deepEqual(good.body, { name: 'a', count: 1 });
  for (const path of ['/api/test-probe/mistyped', '/api/test-probe/undeclared']) {
    const r = await api.request('GET', path);
    assert.equal(r.status, 500, `${path}: ${r.text}`);
    problemResponseSchema.parse(r.body);
    assert.equal(r.body.code, 'internal');
    assert.ok(!r.text.includes('secretField') && !r.text.includes('one'), r.text);
  }
  assert.ok(api.logs.some((line) => line.includes('secretField')), 'the log names the undeclared field');
});

test('problem answers (400, 401, 404) match the one Problem schema', async () => {
  const answers = [
    await api.request('GET', '/api/groups?limit=0', { token: owner.token }),
    await api.request('GET', '/api/bots'),
    await api.request('GET', '/api/templates/00000000-0000-4000-8000-000000000000', { token: owner.token }),
  ];
  assert.deepEqual(answers.map((r) => r.status), [400, 401, 404]);
  for (const r of answers) {
    assert.match(r.headers.get('content-type') ?? '', /^application\/problem\+json/);
    problemResponseSchema.parse(r.body);
  }
});

test("every GET route's real answer matches its schema (an operator tenant on Premium, one of each resource)", async (t) => {
  await setPlan(api, owner.tenantId, 'premium');
  await grantOperator(api.services.db, owner.username);
  const ids = new Map<string, string>();
  const streams = (url: string) => Boolean(document.paths[openApiPath(url)]?.get?.responses?.['200']?.content?.['text/event-stream']);
  for (const route of apiRoutes().filter((r) => r.method === 'GET' && !streams(r.url))) {
    await t.test(route.url, async () => {
      let url = route.url;
      if (route.resource) {
        if (!ids.has(route.resource)) ids.set(route.resource, await resourceFactories[route.resource]!(api, owner));
        url = url.replace(/:([A-Za-z_]+)/g, ids.get(route.resource)!);
      }
      const r = await api.request('GET', url, { token: owner.token });
      assert.ok(r.status < 500, `${url}: ${r.status} ${r.text}`);
      assert.ok(route.responses.includes(String(r.status)) || r.status >= 400, `${url} answered ${r.status}, which it does not document`);
    });
  }
});
