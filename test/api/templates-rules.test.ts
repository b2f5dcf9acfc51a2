import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { setPlan, newTenant, type Session } from '../helpers/rest-api.js';

/** Templates (the customer's /list and /update, CRUD, previews) and reply rules. */
let api: TestApi;
let owner: Session;

before(async () => {
  api = await startTestApi();
  owner = await newTenant(api, 'tpl');
});
after(async () => { await api.close(); });

async function create(kind: string, name: string, content: string) {
  const r = await api.request('POST', '/api/templates', { token: owner.token, body: { kind, name, content } });
  assert.equal(r.status, 201, r.text);
  return r.body.template as { id: string; name: string; content: string; kind: string };
}

test('the customer endpoints: GET /api/templates/list and POST /api/templates/update', async () => {
  const welcome = await create('message', 'Welcome', 'Hello {first_name}!');
  const list = await api.request('GET', '/api/templates/list', { token: owner.token });
  assert.equal(list.status, 200);
  assert.ok(list.body.templates.some((t: { id: string }) => t.id === welcome.id));
  const updated = await api.request('POST', '/api/templates/update', { token: owner.token, body: { template_id: welcome.id, content: 'Welcome, {first_name}, to {group_title}' } });
  assert.equal(updated.status, 200, updated.text);
  assert.equal(updated.body.template.content, 'Welcome, {first_name}, to {group_title}');
  const invalid = await api.request('POST', '/api/templates/update', { token: owner.token, body: { template_id: welcome.id, content: 'Hi {nope}' } });
  assert.equal(invalid.status, 400);
  assert.equal(invalid.body.fields[0].field, 'content');
  const missing = await api.request('POST', '/api/templates/update', { token: owner.token, body: { template_id: crypto.randomUUID(), content: 'Hi' } });
  assert.equal(missing.status, 404);
  const byKind = await api.request('GET', '/api/templates/list?kind=invite', { token: owner.token });
  assert.ok(byKind.body.templates.every((t: { kind: string }) => t.kind === 'invite'));
});

test('CRUD with cursor pagination, conflicts and deletes', async () => {
  const tenant = await newTenant(api, 'tplcrud');
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const r = await api.request('POST', '/api/templates', { token: tenant.token, body: { kind: 'reply', name: `R${i}`, content: `Answer ${i}` } });
    ids.push(r.body.template.id);
  }
  const dup = await api.request('POST', '/api/templates', { token: tenant.token, body: { kind: 'reply', name: 'R0', content: 'x' } });
  assert.equal(dup.status, 409);
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page: any = await api.request('GET', `/api/templates?limit=2&kind=reply${cursor ? `&cursor=${cursor}` : ''}`, { token: tenant.token });
    seen.push(...page.body.items.map((t: { id: string }) => t.id));
    cursor = page.body.nextCursor;
  } while (cursor);
  assert.deepEqual(seen, ids, 'every template once, in creation order');
  const renamed = await api.request('PATCH', `/api/templates/${ids[0]}`, { token: tenant.token, body: { name: 'First' } });
  assert.equal(renamed.body.template.name, 'First');
  assert.equal(renamed.body.template.content, 'Answer 0', 'fields not sent are kept');
  const empty = await api.request('PATCH', `/api/templates/${ids[0]}`, { token: tenant.token, body: {} });
  assert.equal(empty.status, 400);
  assert.equal((await api.request('DELETE', `/api/templates/${ids[1]}`, { token: tenant.token })).status, 204);
  assert.equal((await api.request('GET', `/api/templates/${ids[1]}`, { token: tenant.token })).status, 404);
});

test('preview renders with sample data or given variables, escaping them; variables are listed', async () => {
  const preview = await api.request('POST', '/api/templates/preview', { token: owner.token, body: { content: '<b>Hi {first_name}</b> in {group_title}' } });
  assert.equal(preview.status, 200, preview.text);
  assert.equal(preview.body.rendered, '<b>Hi Ayşe</b> in Kovan Community &lt;Test&gt;');
  assert.equal(preview.body.advanced, false);
  const custom = await api.request('POST', '/api/templates/preview', { token: owner.token, body: { content: 'Hi {first_name}', variables: { first_name: '<script>' } } });
  assert.equal(custom.body.rendered, 'Hi &lt;script&gt;');
  const advanced = await api.request('POST', '/api/templates/preview', { token: owner.token, body: { content: '{% if username %}@{username}{% endif %}' } });
  assert.equal(advanced.body.advanced, true);
  assert.equal(advanced.body.allowedOnPlan, false);
  assert.equal(advanced.body.requiredPlan, 'premium');
  const broken = await api.request('POST', '/api/templates/preview', { token: owner.token, body: { content: 'line one\n<b>unclosed' } });
  assert.equal(broken.status, 400);
  assert.equal(broken.body.details.line, 2);
  const unknownVariable = await api.request('POST', '/api/templates/preview', { token: owner.token, body: { content: 'x', variables: { nope: 'y' } } });
  assert.equal(unknownVariable.status, 400);
  const variables = await api.request('GET', '/api/templates/variables', { token: owner.token });
  assert.ok(variables.body.variables.some((v: { name: string; sample: string }) => v.name === 'first_name' && v.sample === 'Ayşe'));
});

test('reply rules: Premium, CRUD, PATCH keeps unsent fields, template must be a reply template', async () => {
  const tenant = await newTenant(api, 'rules');
  const reply = (await api.request('POST', '/api/templates', { token: tenant.token, body: { kind: 'reply', name: 'Price', content: 'It is 5 €' } })).body.template;
  const message = (await api.request('POST', '/api/templates', { token: tenant.token, body: { kind: 'message', name: 'Msg', content: 'Hi' } })).body.template;
  const body = { name: 'Price', triggerType: 'keyword', trigger: 'price, cost', templateId: reply.id, priority: 5, cooldownUserSeconds: 60 };
  const gated = await api.request('POST', '/api/reply-rules', { token: tenant.token, body });
  assert.equal(gated.status, 403);
  assert.equal(gated.body.details.requiredPlan, 'premium');
  await setPlan(api, tenant.tenantId, 'premium');
  const created = await api.request('POST', '/api/reply-rules', { token: tenant.token, body });
  assert.equal(created.status, 201, created.text);
  const rule = created.body.rule;
  assert.equal(rule.scope, 'both');
  const patched = await api.request('PATCH', `/api/reply-rules/${rule.id}`, { token: tenant.token, body: { enabled: false } });
  assert.equal(patched.status, 200, patched.text);
  assert.equal(patched.body.rule.enabled, false);
  assert.equal(patched.body.rule.priority, 5, 'a PATCH does not reset fields to their defaults');
  assert.equal(patched.body.rule.cooldownUserSeconds, 60);
  const wrongKind = await api.request('PATCH', `/api/reply-rules/${rule.id}`, { token: tenant.token, body: { templateId: message.id } });
  assert.equal(wrongKind.status, 400);
  const badRegex = await api.request('POST', '/api/reply-rules', { token: tenant.token, body: { ...body, triggerType: 'regex', trigger: '(unclosed' } });
  assert.equal(badRegex.status, 400);
  assert.equal(badRegex.body.fields[0].field, 'trigger');
  const inUse = await api.request('DELETE', `/api/templates/${reply.id}`, { token: tenant.token });
  assert.equal(inUse.status, 409);
  const list = await api.request('GET', '/api/reply-rules', { token: tenant.token });
  assert.equal(list.body.items.length, 1);
  assert.equal((await api.request('DELETE', `/api/reply-rules/${rule.id}`, { token: tenant.token })).status, 204);
  assert.equal((await api.request('DELETE', `/api/templates/${reply.id}`, { token: tenant.token })).status, 204);
});
