import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { setPlan, newTenant, type Session } from '../helpers/rest-api.js';

/**
 * Every parameter of the REST API is validated: a bad path id, query value or cursor is a
 * 400 problem that names the field, never a 404 guess or a 500.
 */
let api: TestApi;
let owner: Session;

before(async () => {
  api = await startTestApi();
  owner = await newTenant(api, 'valid');
  await setPlan(api, owner.tenantId, 'premium');
});
after(async () => { await api.close(); });

const restPrefixes = ['/api/bots', '/api/groups', '/api/templates', '/api/reply-rules', '/api/members', '/api/api-keys', '/api/webhooks'];

test('every :id path parameter: a non-id is a 400 naming `id`', async (t) => {
  const routes = api.routes.filter((r) => r.url.includes('/:id') && restPrefixes.some((p) => r.url.startsWith(p)));
  assert.ok(routes.length >= 20, `found ${routes.length}`);
  for (const route of routes) {
    await t.test(`${route.method} ${route.url}`, async () => {
      const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : route.example ?? {};
      for (const bad of ['42', 'not-an-id', "x'OR'1'='1"]) {
        const r = await api.request(route.method, route.url.replace(':id', encodeURIComponent(bad)), { token: owner.token, body });
        assert.equal(r.status, 400, `${bad}: ${r.text}`);
        assert.equal(r.body.fields[0].field, 'id');
      }
    });
  }
});

const queryCases: Array<[string, string, string]> = [
  ['/api/groups', 'limit=0', 'limit'],
  ['/api/groups', 'limit=101', 'limit'],
  ['/api/groups', 'limit=ten', 'limit'],
  ['/api/groups', 'cursor=!!!', 'cursor'],
  ['/api/groups', 'cursor=WzEsMl0', 'cursor'],
  ['/api/groups', 'bot_id=1', 'bot_id'],
  ['/api/groups', 'enabled=yes', 'enabled'],
  ['/api/groups', 'include_removed=1', 'include_removed'],
  ['/api/groups', `q=${'x'.repeat(101)}`, 'q'],
  ['/api/templates', 'kind=sticker', 'kind'],
  ['/api/templates', 'cursor=WyJ4Il0', 'cursor'],
  ['/api/templates/list', 'kind=sticker', 'kind'],
  ['/api/reply-rules', 'limit=-1', 'limit'],
  ['/api/members', 'cursor=e30', 'cursor'],
  ['/api/members/invitations', 'limit=1e3', 'limit'],
  ['/api/api-keys', 'cursor=null', 'cursor'],
  ['/api/webhooks', 'limit=0', 'limit'],
  ['/api/dashboard/stats', 'start_date=2025-13-01', 'start_date'],
  ['/api/dashboard/stats', 'end_date=2025-01-01T25:00:00Z', 'end_date'],
  ['/api/dashboard/stats', 'start_date=1999-12-31', 'start_date'],
  ['/api/dashboard/stats', 'format=pdf', 'format'],
  ['/api/users/stats', 'start_date=now', 'start_date'],
  ['/api/users/stats', 'start_date=2026-01-02&end_date=2026-01-01', 'end_date'],
  ['/api/messages/history', 'start_date=2025-01-01T00:00:00+25:00', 'start_date'],
  ['/api/messages/history', 'chat=1.5', 'chat'],
  ['/api/messages/history', 'chat=99999999999999999999', 'chat'],
  ['/api/messages/history', 'cursor=WzEsMiwzXQ', 'cursor'],
  ['/api/audit-log', 'action=..', 'action'],
  ['/api/audit-log', 'end_date=2025-02-29', 'end_date'],
  ['/api/events', 'types=', 'types'],
  ['/api/events', 'types=message_in,hack', 'types'],
];

for (const [path, query, field] of queryCases) {
  test(`${path}?${query} → 400 on ${field}`, async () => {
    const r = await api.request('GET', `${path}?${query}`, { token: owner.token });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.body.code, 'validation_failed');
    assert.equal(r.body.fields?.[0]?.field, field, r.text);
  });
}

test('unknown query parameters are refused by name', async () => {
  for (const path of ['/api/groups', '/api/templates', '/api/dashboard/stats', '/api/messages/history', '/api/audit-log']) {
    const r = await api.request('GET', `${path}?colour=red`, { token: owner.token });
    assert.equal(r.status, 400, `${path}: ${r.text}`);
    assert.equal(r.body.fields[0].field, 'colour');
  }
});

test('body fields are named in errors', async () => {
  const cases: Array<[string, string, unknown, string]> = [
    ['POST', '/api/templates', { kind: 'message', name: '', content: 'x' }, 'name'],
    ['POST', '/api/templates', { kind: 'message', name: 'x', content: 'y'.repeat(4097) }, 'content'],
    ['POST', '/api/templates/update', { template_id: 'nope', content: 'x' }, 'template_id'],
    ['POST', '/api/templates/preview', { content: '' }, 'content'],
    ['POST', '/api/reply-rules', { name: 'x', triggerType: 'glob', trigger: 'x', templateId: crypto.randomUUID() }, 'triggerType'],
    ['POST', '/api/reply-rules', { name: 'x', triggerType: 'keyword', trigger: 'x', templateId: crypto.randomUUID(), priority: 1.5 }, 'priority'],
    ['POST', '/api/members/invitations', { email: 'not-an-email', role: 'viewer' }, 'email'],
    ['POST', '/api/members/invitations', { email: 'a@b.co', role: 'god' }, 'role'],
    ['POST', '/api/members/invitations/accept', { token: 'short', username: 'abc', password: 'x' }, 'token'],
    ['POST', '/api/members/invitations/accept', { token: 'k'.repeat(20), username: 'a b', password: 'x' }, 'username'],
    ['POST', '/api/bots', { token: 5 }, 'token'],
    ['POST', '/api/webhooks', { url: 'https://example.com/hook', description: 'd'.repeat(201) }, 'description'],
    ['PUT', '/api/notification-settings', { email: 'yes', telegram: true, events: [] }, 'email'],
  ];
  for (const [method, path, body, field] of cases) {
    const r = await api.request(method, path, { token: owner.token, body });
    assert.equal(r.status, 400, `${path} ${JSON.stringify(body).slice(0, 80)}: ${r.text}`);
    assert.equal(r.body.fields?.[0]?.field, field, `${path}: ${r.text}`);
  }
});
