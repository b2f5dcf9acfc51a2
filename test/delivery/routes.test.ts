import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { deliveryRoutes } from '../../src/delivery/index.js';
import { routeModules } from '../../src/http/server.js';
import { startTestApi, registerTenant, type TestApi } from '../helpers/api.js';
import { insertBot, insertGroup } from './fixtures.js';

/**
 * The delivery API over HTTP: usage, schedules, broadcasts and plans, including the
 * "…of another tenant" case for every route that names a schedule.
 */
let api: TestApi;
let a: Awaited<ReturnType<typeof registerTenant>>;
let b: Awaited<ReturnType<typeof registerTenant>>;
let groupIds: string[];

before(async () => {
  api = await startTestApi(routeModules.includes(deliveryRoutes) ? {} : { extraRoutes: [deliveryRoutes] });
  a = await registerTenant(api, 'dla');
  b = await registerTenant(api, 'dlb');
  const botId = await insertBot(api.services.db, a.tenantId, 7_300_000_000 + (process.pid % 1000), `r${process.pid}_bot`);
  groupIds = [await insertGroup(api.services.db, a.tenantId, botId, -4_100_001, 'One'), await insertGroup(api.services.db, a.tenantId, botId, -4_100_002, 'Two')];
});
after(async () => { await api.close(); });

const future = () => new Date(Date.now() + 3_600_000).toISOString();

test('GET /api/usage: today’s quota in the tenant’s zone', async () => {
  const r = await api.request('GET', '/api/usage', { token: a.token });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual({ limit: r.body.usage.limit, used: r.body.usage.used, zone: r.body.usage.timeZone, groups: r.body.usage.groups }, { limit: 100, used: 0, zone: 'UTC', groups: { used: 2, limit: 5 } });
  assert.ok(Date.parse(r.body.usage.resetsAt) > Date.now());
});

test('a schedule’s life over HTTP: create, read, list, change, pause, resume, cancel, delete', async () => {
  const created = await api.request('POST', '/api/schedules', { token: a.token, body: { name: 'Daily', text: 'Good morning', group_ids: groupIds, cron: '0 9 * * *', time_zone: 'Europe/Istanbul' } });
  assert.equal(created.status, 201, created.text);
  const id = created.body.schedule.id;
  assert.equal(created.body.schedule.status, 'active');
  const read = await api.request('GET', `/api/schedules/${id}`, { token: a.token });
  assert.deepEqual({ status: read.status, runs: read.body.runs }, { status: 200, runs: [] });
  const list = await api.request('GET', '/api/schedules?limit=1', { token: a.token });
  assert.equal(list.body.items[0].id, id);
  const patched = await api.request('PATCH', `/api/schedules/${id}`, { token: a.token, body: { name: 'Every morning', cron: '30 8 * * 1-5' } });
  assert.deepEqual([patched.status, patched.body.schedule.name, patched.body.schedule.cron], [200, 'Every morning', '30 8 * * 1-5']);
  for (const [verb, status] of [['pause', 'paused'], ['resume', 'active'], ['cancel', 'cancelled']] as const) {
    const r = await api.request('POST', `/api/schedules/${id}/${verb}`, { token: a.token });
    assert.deepEqual([r.status, r.body.schedule?.status], [200, status], r.text);
  }
  const again = await api.request('POST', `/api/schedules/${id}/resume`, { token: a.token });
  assert.equal(again.status, 409);
  assert.equal((await api.request('DELETE', `/api/schedules/${id}`, { token: a.token })).status, 204);
  assert.equal((await api.request('GET', `/api/schedules/${id}`, { token: a.token })).status, 404);
});

test('a schedule with problems is a 400 naming each field', async () => {
  const r = await api.request('POST', '/api/schedules', { token: a.token, body: { name: 'Bad', text: 'x', run_at: future(), cron: '0 9 * * *' } });
  assert.equal(r.status, 400);
  assert.deepEqual(r.body.fields.map((f: { field: string }) => f.field), ['run_at']);
});

test('POST /api/broadcasts sends now, answers with the run and the plan, and a repeated key sends nothing more', async () => {
  const body = { text: 'Big news', group_ids: groupIds, idempotency_key: 'launch-1' };
  const first = await api.request('POST', '/api/broadcasts', { token: a.token, body });
  assert.equal(first.status, 201, first.text);
  assert.equal(first.body.schedule.kind, 'broadcast');
  assert.deepEqual({ status: first.body.run.status, accepted: first.body.run.accepted }, { status: 'enqueued', accepted: 2 });
  assert.equal(first.body.plan.messages, 2);
  assert.match(first.body.plan.summary, /^Finishes at /);
  const second = await api.request('POST', '/api/broadcasts', { token: a.token, body });
  assert.deepEqual([second.status, second.body.schedule.id, second.body.run], [200, first.body.schedule.id, null]);
  const plan = await api.request('GET', `/api/schedules/${first.body.schedule.id}/plan`, { token: a.token });
  assert.equal(plan.status, 200);
  assert.equal(plan.body.plan.messages, 2);
  const usage = await api.request('GET', '/api/usage', { token: a.token });
  assert.deepEqual({ used: usage.body.usage.used, queued: usage.body.usage.queued }, { used: 2, queued: 2 });
});

test('POST /api/delivery/plan previews a broadcast without sending it', async () => {
  const r = await api.request('POST', '/api/delivery/plan', { token: a.token, body: { group_ids: groupIds, messages_per_group: 3 } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.plan.messages, 6);
  assert.equal(r.body.plan.etas.length, 6);
  assert.ok(r.body.plan.etas.every((e: { eta: string }) => Date.parse(e.eta) >= Date.now() - 60_000));
});

test('another tenant’s schedule is a 404 on every route that names one', async () => {
  const created = await api.request('POST', '/api/schedules', { token: a.token, body: { name: 'Mine', text: 'x', run_at: future() } });
  const id = created.body.schedule.id;
  for (const [method, path] of [['GET', ''], ['PATCH', ''], ['DELETE', ''], ['POST', '/pause'], ['POST', '/resume'], ['POST', '/cancel'], ['GET', '/plan']] as const) {
    const r = await api.request(method, `/api/schedules/${id}${path}`, { token: b.token, ...(method === 'PATCH' ? { body: { name: 'stolen' } } : {}) });
    assert.equal(r.status, 404, `${method} ${path}: ${r.text}`);
  }
  const others = await api.request('GET', '/api/schedules', { token: b.token });
  assert.deepEqual(others.body.items, []);
  const broadcast = await api.request('POST', '/api/broadcasts', { token: b.token, body: { text: 'x', group_ids: groupIds } });
  assert.equal(broadcast.status, 400, 'A’s groups are not B’s to post to');
});
