import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createReplyRule } from '../../src/rules/index.js';
import { createTemplate } from '../../src/templates/index.js';
import { startRuntime, type Runtime, type RuntimeTenant } from '../helpers/runtime.js';

/** The Try-it panel's sandbox group is a test bench, not one of the tenant's groups. */
let rt: Runtime;
let tenant: RuntimeTenant;

before(async () => {
  rt = await startRuntime();
  tenant = await rt.tenant({ plan: 'premium' });
  await rt.api.services.db.withTenant(tenant.tenantId, async (tx) => {
    const reply = await createTemplate(tx, { kind: 'reply', name: 'price', content: 'Prices: see /plans' });
    await createReplyRule(tx, { name: 'price', triggerType: 'keyword', trigger: 'price', caseSensitive: false, scope: 'both', groupIds: [], templateId: reply.id, priority: 10, cooldownUserSeconds: 0, cooldownChatSeconds: 0, enabled: true });
  });
});
after(async () => { await rt.close(); });

const call = (method: string, path: string, body?: unknown) => rt.api.request(method, path, { token: tenant.token, ...(body ? { body } : {}) });

test('the Try-it group answers, yet counts against no plan and is no target, scope or checklist group', async () => {
  const tried = await call('POST', '/api/try-it/messages', { text: 'price please', chat: 'group' });
  assert.equal(tried.status, 200, tried.text);
  assert.ok(tried.body.replies.some((r: { text: string }) => r.text.startsWith('Prices')), tried.text);
  const tryItGroup = await rt.api.services.db.withTenant(tenant.tenantId, async (tx) =>
    (await tx.query<{ id: string; removed_at: Date | null }>(`SELECT id, removed_at FROM groups WHERE chat_id = $1`, [tried.body.chatId])).rows[0]!);
  assert.equal(tryItGroup.removed_at, null, 'the bot is in it and serves it');

  const list = await call('GET', '/api/groups/list');
  assert.deepEqual(list.body.groups.map((g: { id: string }) => g.id), [tenant.groupId]);
  const page = await call('GET', '/api/groups');
  assert.deepEqual(page.body.items.map((g: { id: string }) => g.id), [tenant.groupId]);
  const usage = await call('GET', '/api/usage');
  assert.equal(usage.body.usage.groups.used, 1);
  const broadcast = await call('POST', '/api/broadcasts', { text: 'hello', group_ids: [tryItGroup.id] });
  assert.equal(broadcast.status, 400, broadcast.text);
  assert.deepEqual(broadcast.body.fields.map((f: { field: string }) => f.field), ['group_ids']);
  const checklist = await call('GET', `/api/bots/${tenant.bot.bot.id}/checklist`);
  assert.equal(checklist.status, 200, checklist.text);
  assert.ok(!JSON.stringify(checklist.body).includes(tryItGroup.id), 'not in the bot checklist');
  assert.equal(tried.body.answered, 'expected');
});

test('when no rule matches, Try it says so at once instead of waiting for an answer', async () => {
  for (const chat of ['group', 'private'] as const) {
    const r = await call('POST', '/api/try-it/messages', { text: 'nothing matches this', chat });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual({ answered: r.body.answered, replies: r.body.replies }, { answered: 'no_rule', replies: [] }, chat);
  }
});
