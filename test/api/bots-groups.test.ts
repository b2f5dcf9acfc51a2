import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { addSandboxGroup, connectSandboxBot, newTenant, type Session } from '../helpers/rest-api.js';

/** Bots (connect, status, the live setup checklist, disconnect) and groups, against the Telegram sandbox. */
let api: TestApi;
let owner: Session;

before(async () => {
  api = await startTestApi();
  owner = await newTenant(api, 'bots');
});
after(async () => { await api.close(); });

test('connecting checks the token with Telegram and never shows it again', async () => {
  const shape = await api.request('POST', '/api/bots', { token: owner.token, body: { token: 'not-a-token' } });
  assert.equal(shape.status, 400);
  assert.equal(shape.body.fields[0].field, 'token');
  const unknown = await api.request('POST', '/api/bots', { token: owner.token, body: { token: `99999:${'A'.repeat(35)}` } });
  assert.equal(unknown.status, 400);
  assert.match(unknown.body.detail, /rejected/);

  const bot = await connectSandboxBot(api, owner);
  const list = await api.request('GET', '/api/bots', { token: owner.token });
  assert.ok(list.body.bots.some((b: { id: string }) => b.id === bot.id));
  assert.ok(!list.text.includes(bot.token), 'the token is never returned');
  const one = await api.request('GET', `/api/bots/${bot.id}`, { token: owner.token });
  assert.equal(one.body.bot.status, 'connected');
  assert.equal(one.body.bot.mode, 'polling');
  assert.equal(one.body.bot.username, bot.username);
});

test('the setup checklist asks Telegram: token, privacy mode, rights per group, webhook', async () => {
  const bot = await connectSandboxBot(api, owner);
  const empty = (await api.request('GET', `/api/bots/${bot.id}/checklist`, { token: owner.token })).body.checklist;
  const byId = (c: { items: Array<{ id: string }> }) => Object.fromEntries(c.items.map((i) => [i.id, i])) as Record<string, any>;
  assert.equal(byId(empty).token.status, 'ok');
  assert.equal(byId(empty).privacy_mode.status, 'warning', 'privacy mode is on by default');
  assert.equal(byId(empty).group_admin.status, 'warning', 'no group yet');
  assert.equal(byId(empty).webhook.status, 'ok', 'polling, and no webhook set');

  const full = await addSandboxGroup(api, owner.tenantId, bot, { admin: true, title: 'Admin group' });
  const plain = await addSandboxGroup(api, owner.tenantId, bot, { admin: false, title: 'Plain group' });
  const noDelete = await addSandboxGroup(api, owner.tenantId, bot, { admin: true, canDeleteMessages: false, title: 'No delete' });
  const checked = byId((await api.request('GET', `/api/bots/${bot.id}/checklist`, { token: owner.token })).body.checklist);
  const rights = Object.fromEntries(checked.group_admin.groups.map((g: { groupId: string }) => [g.groupId, g]));
  assert.equal(rights[full.id].status, 'ok');
  assert.equal(rights[plain.id].status, 'warning');
  assert.equal(rights[plain.id].membership, 'member');
  assert.equal(rights[noDelete.id].status, 'warning');
  assert.equal(rights[noDelete.id].canInviteUsers, true);
  assert.equal(rights[noDelete.id].canDeleteMessages, false);
  assert.equal(checked.group_admin.status, 'warning');

  // Telegram changed behind Kovan's back: the bot was kicked from one group.
  api.sandbox.removeBotFromGroup(bot.telegramBotId, plain.chatId);
  const afterKick = (await api.request('GET', `/api/bots/${bot.id}/checklist`, { token: owner.token })).body.checklist;
  assert.equal(afterKick.ready, false);
  assert.equal(byId(afterKick).group_admin.groups.find((g: { groupId: string }) => g.groupId === plain.id).status, 'failed');
  const group = await api.request('GET', `/api/groups/${plain.id}`, { token: owner.token });
  assert.equal(group.body.group.botStatus, 'kicked', 'what Telegram reported is recorded');

  api.sandbox.revokeToken(bot.telegramBotId);
  const revoked = (await api.request('GET', `/api/bots/${bot.id}/checklist`, { token: owner.token })).body.checklist;
  assert.equal(byId(revoked).token.status, 'failed');
  assert.equal(byId(revoked).privacy_mode.status, 'skipped');
  assert.equal(revoked.ready, false);
});

test('privacy mode off and full rights: the checklist is ready', async () => {
  const bot = await connectSandboxBot(api, owner, { privacyOff: true });
  await addSandboxGroup(api, owner.tenantId, bot, { admin: true });
  const checklist = (await api.request('GET', `/api/bots/${bot.id}/checklist`, { token: owner.token })).body.checklist;
  assert.deepEqual(checklist.items.map((i: { status: string }) => i.status), ['ok', 'ok', 'ok', 'ok']);
  assert.equal(checklist.ready, true);
});

test('groups: the customer list, cursor pages, filters, settings, enable/disable', async () => {
  const tenant = await newTenant(api, 'groups');
  const bot = await connectSandboxBot(api, tenant);
  const ids: string[] = [];
  for (const title of ['Delta', 'alpha', 'Charlie', 'Bravo', 'Echo']) ids.push((await addSandboxGroup(api, tenant.tenantId, bot, { title })).id);
  const legacy = await api.request('GET', '/api/groups/list', { token: tenant.token });
  assert.equal(legacy.status, 200);
  assert.equal(legacy.body.groups.length, 5);

  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page: any = await api.request('GET', `/api/groups?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: tenant.token });
    assert.equal(page.status, 200, page.text);
    seen.push(...page.body.items.map((g: { title: string }) => g.title));
    cursor = page.body.nextCursor;
  } while (cursor);
  assert.equal(seen.length, 5);
  assert.equal(new Set(seen).size, 5);
  const search = await api.request('GET', '/api/groups?q=har', { token: tenant.token });
  assert.deepEqual(search.body.items.map((g: { title: string }) => g.title), ['Charlie']);

  const welcome = (await api.request('POST', '/api/templates', { token: tenant.token, body: { kind: 'message', name: 'Welcome', content: 'Hi {first_name}' } })).body.template;
  const reply = (await api.request('POST', '/api/templates', { token: tenant.token, body: { kind: 'reply', name: 'R', content: 'R' } })).body.template;
  const patched = await api.request('PATCH', `/api/groups/${ids[0]}`, { token: tenant.token, body: { enabled: false, settings: { welcomeTemplateId: welcome.id, quietHours: { start: '22:00', end: '07:00' } } } });
  assert.equal(patched.status, 200, patched.text);
  assert.equal(patched.body.group.enabled, false);
  assert.equal(patched.body.group.settings.welcomeTemplateId, welcome.id);
  assert.equal(patched.body.group.settings.joinRequestAction, 'leave_pending', 'unset settings show the tenant default');
  const disabled = await api.request('GET', '/api/groups?enabled=false', { token: tenant.token });
  assert.deepEqual(disabled.body.items.map((g: { id: string }) => g.id), [ids[0]]);
  const wrongKind = await api.request('PATCH', `/api/groups/${ids[0]}`, { token: tenant.token, body: { settings: { welcomeTemplateId: reply.id } } });
  assert.equal(wrongKind.status, 400);
  assert.equal(wrongKind.body.fields[0].field, 'settings.welcomeTemplateId');
  const badClock = await api.request('PATCH', `/api/groups/${ids[0]}`, { token: tenant.token, body: { settings: { quietHours: { start: '25:00', end: '07:00' } } } });
  assert.equal(badClock.status, 400);
  assert.equal(badClock.body.fields[0].field, 'settings.quietHours.start');
});

test('leaving a group goes through Telegram and keeps the group as removed', async () => {
  const tenant = await newTenant(api, 'leave');
  const bot = await connectSandboxBot(api, tenant);
  const group = await addSandboxGroup(api, tenant.tenantId, bot, { admin: true });
  const left = await api.request('POST', `/api/groups/${group.id}/leave`, { token: tenant.token });
  assert.equal(left.status, 200, left.text);
  assert.ok(left.body.group.removedAt);
  assert.equal(left.body.group.botStatus, 'left');
  const calls = api.sandbox.calls.list().filter((c: { method: string }) => c.method === 'leaveChat');
  assert.ok(calls.length >= 1, 'leaveChat was called at Telegram');
  const again = await api.request('POST', `/api/groups/${group.id}/leave`, { token: tenant.token });
  assert.equal(again.status, 200, 'leaving twice is a no-op');
  const listed = await api.request('GET', '/api/groups', { token: tenant.token });
  assert.equal(listed.body.items.length, 0);
  const withRemoved = await api.request('GET', '/api/groups?include_removed=true', { token: tenant.token });
  assert.equal(withRemoved.body.items.length, 1);
});

test('disconnecting a bot wipes its token; it is gone from the list', async () => {
  const tenant = await newTenant(api, 'disc');
  const bot = await connectSandboxBot(api, tenant);
  assert.equal((await api.request('DELETE', `/api/bots/${bot.id}`, { token: tenant.token })).status, 204);
  assert.equal((await api.request('GET', `/api/bots/${bot.id}`, { token: tenant.token })).status, 404);
  const sealed = await api.services.db.withOwner(async (tx) => (await tx.query<{ token_sealed: string }>(`SELECT token_sealed FROM bots WHERE id = $1`, [bot.id])).rows[0]!.token_sealed);
  assert.equal(sealed, '');
});
