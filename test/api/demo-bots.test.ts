import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { registerTenant, startTestApi, type TestApi } from '../helpers/api.js';

let api: TestApi;
before(async () => { api = await startTestApi(); });
after(async () => { await api.close(); });

test('demo mode: a test bot in one call, connected like a pasted token; the groups to add it to; nobody sees another tenant’s groups', async () => {
  const owner = await registerTenant(api, 'demo');
  const other = await registerTenant(api, 'demo');
  const empty = await api.request('GET', '/api/demo/groups', { token: owner.token });
  assert.deepEqual([empty.status, empty.body], [200, { available: true, groups: [] }]);

  const created = await api.request('POST', '/api/demo/test-bot', { token: owner.token });
  assert.equal(created.status, 201, created.text);
  assert.match(created.body.bot.username, /^kovan_test_[0-9a-f]{10}_bot$/);
  assert.equal(created.body.bot.status, 'connected');
  assert.equal(JSON.stringify(created.body).includes(':AA'), false, 'the token is never returned');
  const listed = await api.request('GET', '/api/bots', { token: owner.token });
  assert.deepEqual(listed.body.bots.map((b: { id: string }) => b.id), [created.body.bot.id]);
  const second = await api.request('POST', '/api/demo/test-bot', { token: owner.token });
  assert.notEqual(second.body.bot.telegramBotId, created.body.bot.telegramBotId, 'every test bot is a new Telegram bot');

  // A group somebody else's bot lives in stays out of view until one of ours is in it.
  const person = api.sandbox.createUser({ firstName: 'Deniz' });
  const group = api.sandbox.createGroup({ title: 'Demo test group', type: 'supergroup', memberIds: [person.id] });
  const otherBot = await api.request('POST', '/api/demo/test-bot', { token: other.token });
  api.sandbox.addBotToGroup(otherBot.body.bot.telegramBotId, group.id);
  assert.deepEqual((await api.request('GET', '/api/demo/groups', { token: owner.token })).body.groups, []);
  const refused = await api.request('POST', `/api/demo/groups/${group.id}/bots`, { token: owner.token, body: { bot_id: created.body.bot.id } });
  assert.equal(refused.status, 404, 'a group the tenant cannot see cannot be joined through Kovan');
  const foreignBot = await api.request('POST', `/api/demo/groups/${group.id}/bots`, { token: other.token, body: { bot_id: created.body.bot.id } });
  assert.equal(foreignBot.status, 400, 'another tenant’s bot cannot be moved: to this tenant it does not exist');
  assert.equal(foreignBot.body.fields[0].field, 'bot_id');

  const again = await api.request('POST', `/api/demo/groups/${group.id}/bots`, { token: other.token, body: { bot_id: otherBot.body.bot.id } });
  assert.equal(again.status, 409, 'a bot already in the group is told so');
  const secondOther = await api.request('POST', '/api/demo/test-bot', { token: other.token });
  const added = await api.request('POST', `/api/demo/groups/${group.id}/bots`, { token: other.token, body: { bot_id: secondOther.body.bot.id } });
  assert.equal(added.status, 200, added.text);
  const seen = await api.request('GET', '/api/demo/groups', { token: other.token });
  assert.deepEqual(seen.body.groups, [{ chatId: group.id, title: 'Demo test group', type: 'supergroup', people: ['Deniz'], botIds: [otherBot.body.bot.id, secondOther.body.bot.id] }]);
});

test('outside demo mode (a real Telegram) there are no test bots', async () => {
  const real = await startTestApi({ config: { TELEGRAM_API_ROOT: 'https://api.telegram.org' } });
  try {
    const owner = await registerTenant(real, 'real');
    assert.deepEqual((await real.request('GET', '/api/demo/groups', { token: owner.token })).body, { available: false, groups: [] });
    const refused = await real.request('POST', '/api/demo/test-bot', { token: owner.token });
    assert.equal(refused.status, 409);
    assert.match(refused.body.detail, /@BotFather/);
  } finally {
    await real.close();
  }
});
