import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { addTeammate, newTenant, type Session } from '../helpers/rest-api.js';

/**
 * The role matrix, generated from the route table like the isolation matrix: a viewer is
 * refused every route that needs admin or owner, an admin every owner route, and every
 * role can read what viewers may read. New routes join automatically.
 */
let api: TestApi;
let owner: Session;
let admin: Session;
let viewer: Session;

before(async () => {
  api = await startTestApi();
  owner = await newTenant(api, 'role');
  admin = await addTeammate(api, owner, 'admin');
  viewer = await addTeammate(api, owner, 'viewer');
});
after(async () => { await api.close(); });

const anyId = '00000000-0000-4000-8000-000000000000';
const urlOf = (url: string) => url.replace(/:([A-Za-z_]+)/g, anyId);
const bodyOf = (route: { method: string; example?: unknown }) => (route.method === 'GET' || route.method === 'DELETE' ? undefined : route.example ?? {});
const isApi = (url: string) => url.startsWith('/api/') && !url.startsWith('/api/docs') && url !== '/api/openapi.json';

test('a viewer is refused every admin and owner route with 403 forbidden', async (t) => {
  const routes = api.routes.filter((r) => isApi(r.url) && (r.auth === 'admin' || r.auth === 'owner'));
  assert.ok(routes.length >= 25, `found ${routes.length}`);
  for (const route of routes) {
    await t.test(`${route.method} ${route.url}`, async () => {
      const r = await api.request(route.method, urlOf(route.url), { token: viewer.token, body: bodyOf(route) });
      assert.equal(r.status, 403, r.text);
      assert.equal(r.body.code, 'forbidden');
    });
  }
});

test('an admin is refused every owner route (members, API keys) with 403', async (t) => {
  const routes = api.routes.filter((r) => isApi(r.url) && r.auth === 'owner');
  assert.ok(routes.length >= 8, `found ${routes.length}`);
  for (const route of routes) {
    await t.test(`${route.method} ${route.url}`, async () => {
      const r = await api.request(route.method, urlOf(route.url), { token: admin.token, body: bodyOf(route) });
      assert.equal(r.status, 403, r.text);
    });
  }
});

test('every role may call the viewer routes it reads', async (t) => {
  const routes = api.routes.filter((r) => isApi(r.url) && r.auth === 'viewer' && r.method === 'GET' && !r.url.includes(':') && r.url !== '/api/events');
  assert.ok(routes.length >= 12, `found ${routes.length}`);
  for (const route of routes) {
    await t.test(route.url, async () => {
      for (const session of [viewer, admin, owner]) {
        const r = await api.request('GET', route.url, { token: session.token });
        assert.notEqual(r.status, 401, r.text);
        assert.notEqual(r.status, 403, `${route.url}: ${r.text}`);
        assert.ok(r.status < 500, r.text);
      }
    });
  }
});

test('write routes work for the role they name', async () => {
  const template = await api.request('POST', '/api/templates', { token: admin.token, body: { kind: 'message', name: 'By admin', content: 'Hi {first_name}' } });
  assert.equal(template.status, 201, template.text);
  const denied = await api.request('POST', '/api/templates', { token: viewer.token, body: { kind: 'message', name: 'By viewer', content: 'Hi' } });
  assert.equal(denied.status, 403);
  const read = await api.request('GET', `/api/templates/${template.body.template.id}`, { token: viewer.token });
  assert.equal(read.status, 200);
  const invite = await api.request('POST', '/api/members/invitations', { token: owner.token, body: { email: 'x-role@example.test', role: 'viewer' } });
  assert.equal(invite.status, 201, invite.text);
});

test('a role change takes effect on the next request', async () => {
  const teammate = await addTeammate(api, owner, 'admin');
  const before = await api.request('POST', '/api/templates', { token: teammate.token, body: { kind: 'reply', name: 'Before demotion', content: 'Hi' } });
  assert.equal(before.status, 201, before.text);
  const demote = await api.request('PATCH', `/api/members/${teammate.memberId}`, { token: owner.token, body: { role: 'viewer' } });
  assert.equal(demote.status, 200, demote.text);
  const afterDemotion = await api.request('POST', '/api/templates', { token: teammate.token, body: { kind: 'reply', name: 'After demotion', content: 'Hi' } });
  assert.equal(afterDemotion.status, 403);
  assert.match(afterDemotion.body.detail, /admin role; you are viewer/);
});
