/**
 * Registers a factory for every resource kind that routes name (`config.resource`).
 * Each context adds its kinds here as it gains routes with ids.
 */
import './resources.js';

// ─── REST API resources (bots, groups, templates, reply rules, members, API keys, webhooks) ───
// Made through the real API (and the Telegram sandbox for bots and groups).
import { addSandboxGroup, addTeammate, connectSandboxBot, setPlan, uniqueName } from './rest-api.js';
import { registerResourceFactory as registerKind } from './resources.js';

registerKind('bot', async (api, owner) => (await connectSandboxBot(api, owner)).id);
registerKind('group', async (api, owner) => (await addSandboxGroup(api, owner.tenantId, await connectSandboxBot(api, owner))).id);
registerKind('template', async (api, owner) => {
  const r = await api.request('POST', '/api/templates', { token: owner.token, body: { kind: 'message', name: uniqueName('Tpl '), content: 'Hello {first_name}' } });
  if (r.status !== 201) throw new Error(`template: ${r.status} ${r.text}`);
  return r.body.template.id;
});
registerKind('reply_rule', async (api, owner) => {
  await setPlan(api, owner.tenantId, 'premium');
  const template = await api.request('POST', '/api/templates', { token: owner.token, body: { kind: 'reply', name: uniqueName('Reply '), content: 'Prices: see pinned' } });
  const r = await api.request('POST', '/api/reply-rules', { token: owner.token, body: { name: 'Price', triggerType: 'keyword', trigger: 'price', templateId: template.body.template.id } });
  if (r.status !== 201) throw new Error(`reply rule: ${r.status} ${r.text}`);
  return r.body.rule.id;
});
registerKind('member', async (api, owner) => (await addTeammate(api, owner, 'viewer')).memberId);
registerKind('invitation', async (api, owner) => {
  const r = await api.request('POST', '/api/members/invitations', { token: owner.token, body: { email: `${uniqueName('inv')}@example.test`, role: 'admin' } });
  if (r.status !== 201) throw new Error(`invitation: ${r.status} ${r.text}`);
  return r.body.invitation.id;
});
registerKind('api_key', async (api, owner) => {
  await setPlan(api, owner.tenantId, 'premium');
  const r = await api.request('POST', '/api/api-keys', { token: owner.token, body: { name: 'isolation', scopes: ['read'] } });
  if (r.status !== 201) throw new Error(`api key: ${r.status} ${r.text}`);
  return r.body.apiKey.id;
});
registerKind('webhook', async (api, owner) => {
  await setPlan(api, owner.tenantId, 'premium');
  const r = await api.request('POST', '/api/webhooks', { token: owner.token, body: { url: 'http://127.0.0.1:9/kovan-hook' } });
  if (r.status !== 201) throw new Error(`webhook: ${r.status} ${r.text}`);
  return r.body.webhook.id;
});

// ─── Portability: a tenant names itself (export, operator views) ───
registerKind('tenant', async (_api, owner) => owner.tenantId);

// ─── Delivery: schedules (and broadcasts, which are one-off schedules) ───
registerKind('schedule', async (api, owner) => {
  const r = await api.request('POST', '/api/schedules', { token: owner.token, body: { name: 'Isolation', text: 'Hello', run_at: new Date(Date.now() + 3_600_000).toISOString() } });
  if (r.status !== 201) throw new Error(`schedule: ${r.status} ${r.text}`);
  return r.body.schedule.id;
});

// ─── Demo mode: a sandbox group the tenant's test bot is in (its chat id names it) ───
registerKind('demo_group', async (api, owner) => {
  const bot = await api.request('POST', '/api/demo/test-bot', { token: owner.token });
  if (bot.status !== 201) throw new Error(`demo test bot: ${bot.status} ${bot.text}`);
  const person = api.sandbox.createUser({ firstName: 'Isolation' });
  const group = api.sandbox.createGroup({ title: uniqueName('Demo '), type: 'supergroup', memberIds: [person.id] });
  api.sandbox.addBotToGroup(bot.body.bot.telegramBotId, group.id);
  return String(group.id);
});
