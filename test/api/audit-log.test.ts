import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { addTeammate, newTenant, type Session } from '../helpers/rest-api.js';

/** The audit log: every change with who, when, before/after; filters, cursor, CSV; admins only. */
let api: TestApi;
let owner: Session;

before(async () => {
  api = await startTestApi();
  owner = await newTenant(api, 'audit');
});
after(async () => { await api.close(); });

test('changes are logged with who, when, before and after', async () => {
  const created = (await api.request('POST', '/api/templates', { token: owner.token, body: { kind: 'message', name: 'Audited', content: 'v1' } })).body.template;
  await api.request('PATCH', `/api/templates/${created.id}`, { token: owner.token, body: { content: 'v2' } });
  await api.request('PUT', '/api/notification-settings', { token: owner.token, body: { email: false, telegram: true, events: ['bot_failed'] } });
  const log = await api.request('GET', `/api/audit-log?entity=template&entity_id=${created.id}`, { token: owner.token });
  assert.equal(log.status, 200, log.text);
  assert.deepEqual(log.body.items.map((e: { action: string }) => e.action), ['template.updated', 'template.created']);
  const update = log.body.items[0];
  assert.equal(update.before.content, 'v1');
  assert.equal(update.after.content, 'v2');
  assert.equal(update.memberId, owner.memberId);
  assert.equal(typeof update.memberUsername, 'string');
  assert.ok(Date.parse(update.at) <= Date.now());
  const byPrefix = await api.request('GET', '/api/audit-log?action=config', { token: owner.token });
  assert.ok(byPrefix.body.items.some((e: { entityId: string; after: { email: boolean } }) => e.entityId === 'notifications' && e.after.email === false));
  const byMember = await api.request('GET', `/api/audit-log?member_id=${crypto.randomUUID()}`, { token: owner.token });
  assert.equal(byMember.body.items.length, 0);
});

test('cursor pages cover everything once; CSV exports the same', async () => {
  for (let i = 0; i < 5; i++) await api.request('POST', '/api/templates', { token: owner.token, body: { kind: 'reply', name: `page ${i}`, content: 'x' } });
  const ids: number[] = [];
  let cursor: string | null = null;
  do {
    const page: any = await api.request('GET', `/api/audit-log?limit=3${cursor ? `&cursor=${cursor}` : ''}`, { token: owner.token });
    ids.push(...page.body.items.map((e: { id: number }) => e.id));
    cursor = page.body.nextCursor;
  } while (cursor);
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
  const csv = await api.request('GET', '/api/audit-log?format=csv', { token: owner.token });
  assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
  const lines = csv.text.trim().split('\r\n');
  assert.equal(lines[0], 'id,at,action,entity,entity_id,member_id,member_username,before,after');
  assert.equal(lines.length - 1, ids.length);
});

test('viewers cannot read the audit log; bad filters are 400s', async () => {
  const viewer = await addTeammate(api, owner, 'viewer');
  assert.equal((await api.request('GET', '/api/audit-log', { token: viewer.token })).status, 403);
  for (const [query, field] of [['entity=Robert%27)%3B', 'entity'], ['member_id=me', 'member_id'], ['start_date=last%20week', 'start_date'], ['cursor=%7B%7D', 'cursor'], ['limit=1000', 'limit']] as const) {
    const r = await api.request('GET', `/api/audit-log?${query}`, { token: owner.token });
    assert.equal(r.status, 400, `${query}: ${r.text}`);
    assert.equal(r.body.fields[0].field, field, r.text);
  }
});

test('notification settings: a typed view of the notifications config key', async () => {
  const read = await api.request('GET', '/api/notification-settings', { token: owner.token });
  assert.deepEqual(read.body.notifications, { email: false, telegram: true, events: ['bot_failed'] });
  const viaConfig = await api.request('GET', '/api/config', { token: owner.token });
  assert.deepEqual(viaConfig.body.config.notifications, read.body.notifications);
  const bad = await api.request('PUT', '/api/notification-settings', { token: owner.token, body: { email: true, telegram: true, events: ['nope'] } });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.fields[0].field, 'events.0');
});
