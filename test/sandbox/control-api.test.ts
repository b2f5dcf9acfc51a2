import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Sandbox } from '../../src/sandbox/index.js';
import { grammyBot, openSandbox } from './helpers.js';

describe('HTTP control API', () => {
  let sandbox: Sandbox;
  before(async () => {
    // A 15-second callback deadline of 1.5 s leaves the test time to answer on a busy machine.
    sandbox = await openSandbox({ limits: false, timeScale: 0.1 });
  });
  after(() => sandbox.close());

  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
    const response = await fetch(`${sandbox.apiRoot}${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, json: text === '' ? undefined : JSON.parse(text) };
  }

  test('drives a whole conversation over HTTP', async () => {
    const bot = await call('POST', '/sandbox/bots', { username: 'http_bot', canReadAllGroupMessages: true });
    assert.equal(bot.status, 201);
    const user = await call('POST', '/sandbox/users', { firstName: 'Http', username: 'http_user' });
    const group = await call('POST', '/sandbox/groups', { title: 'Over HTTP', type: 'group', memberIds: [user.json.id] });
    const added = await call('POST', `/sandbox/groups/${group.json.id}/bots`, { botId: bot.json.id, admin: true });
    assert.deepEqual([added.status, added.json.status], [200, 'administrator']);
    const posted = await call('POST', '/sandbox/messages', { userId: user.json.id, chatId: group.json.id, text: 'hello /start' });
    assert.equal(posted.json.text, 'hello /start');

    const api = grammyBot(sandbox, bot.json.token).api;
    const updates = await api.getUpdates();
    assert.ok(updates.some((update) => update.message?.text === 'hello /start'));
    const reply = await api.sendMessage(group.json.id, 'welcome', {
      reply_markup: { inline_keyboard: [[{ text: 'Go', callback_data: 'go' }]] },
    });
    const shown = await call('GET', `/sandbox/chats/${group.json.id}/messages`);
    assert.deepEqual(shown.json.map((message: { text?: string }) => message.text).filter(Boolean), ['hello /start', 'welcome']);

    const pressing = call('POST', '/sandbox/button-presses', { userId: user.json.id, chatId: group.json.id, messageId: reply.message_id, data: 'go' });
    const query = (await api.getUpdates({ offset: (updates.at(-1)?.update_id ?? 0) + 1, timeout: 5 }))[0]?.callback_query;
    await api.answerCallbackQuery(query?.id ?? '', { text: 'Going', show_alert: true });
    assert.deepEqual((await pressing).json.answer, { showAlert: true, text: 'Going' });

    await call('POST', '/sandbox/starts', { userId: user.json.id, botId: bot.json.id, payload: 'abc' });
    const privateChat = await call('GET', `/sandbox/chats/${user.json.id}/messages?botId=${bot.json.id}`);
    assert.deepEqual(privateChat.json.map((message: { text: string }) => message.text), ['/start abc']);

    const calls = await call('GET', `/sandbox/calls?botId=${bot.json.id}&method=sendMessage`);
    assert.equal(calls.json.length, 1);
    assert.equal(calls.json[0].messages[0].text, 'welcome');
    assert.equal((await call('POST', '/sandbox/faults', { botId: bot.json.id, method: 'getMe', errorCode: 502, description: 'Bad Gateway' })).status, 204);
    await assert.rejects(api.getMe(), /502/);
    assert.deepEqual((await call('GET', '/sandbox/stats')).json, { rateLimitHits: 0 });
    const migrated = await call('POST', `/sandbox/groups/${group.json.id}/migrate`, {});
    assert.equal(migrated.json.type, 'supergroup');
    assert.equal((await call('POST', '/sandbox/join-requests', { userId: user.json.id, chatId: migrated.json.id })).status, 409, 'already a member');
  });

  test('bad input is a 400 with a message, unknown ids 404, conflicts 409 — never a 500', async () => {
    const invalid = await call('POST', '/sandbox/bots', { username: 'x' });
    assert.equal(invalid.status, 400);
    assert.match(invalid.json.error, /username/);
    assert.match((await call('POST', '/sandbox/bots', { username: 'not_a_b0t_name' })).json.error, /must end in 'bot'/);
    assert.equal((await call('POST', '/sandbox/users', '{not json')).status, 400);
    assert.equal((await call('POST', '/sandbox/messages', { userId: 1, chatId: 1, text: 'hi' })).status, 404);
    await call('POST', '/sandbox/users', { firstName: 'Taken', username: 'taken_name' });
    assert.equal((await call('POST', '/sandbox/users', { firstName: 'Again', username: 'taken_name' })).status, 409);
    assert.equal((await call('GET', '/sandbox/chats/abc/messages')).status, 400);
    assert.equal((await call('GET', '/sandbox/nothing-here')).status, 404);

    const paths = [
      ['POST', '/sandbox/bots'], ['POST', '/sandbox/users'], ['POST', '/sandbox/groups'], ['POST', '/sandbox/groups/-1/bots'],
      ['POST', '/sandbox/groups/-1/bots/1/promote'], ['POST', '/sandbox/groups/-1/migrate'], ['POST', '/sandbox/groups/-1/slow-mode'],
      ['POST', '/sandbox/messages'], ['POST', '/sandbox/starts'], ['POST', '/sandbox/blocks'], ['POST', '/sandbox/unblocks'],
      ['POST', '/sandbox/joins'], ['POST', '/sandbox/leaves'], ['POST', '/sandbox/join-requests'], ['POST', '/sandbox/button-presses'],
      ['POST', '/sandbox/payments'], ['POST', '/sandbox/faults'], ['POST', '/sandbox/bots/1/revoke'], ['DELETE', '/sandbox/groups/-1/bots/1'],
    ] as const;
    const bodies: unknown[] = [{}, [], 'null', '"text"', { userId: 'x', chatId: null, botId: 1.5, text: 7 }, { userId: 2 ** 60 }];
    for (const [method, path] of paths) {
      for (const body of bodies) {
        const { status } = await call(method, path, body);
        assert.ok(status >= 400 && status < 500, `${method} ${path} ${JSON.stringify(body)} answered ${status}`);
      }
    }
  });
});
