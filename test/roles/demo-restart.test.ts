import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startAll } from '../../src/roles/start.js';
import { demoLogin } from '../../src/demo/seed.js';
import { testConfig } from '../helpers/env.js';
import { eventually } from '../helpers/processes.js';

test('a demo restart keeps the sandbox world: a bot a tenant connected keeps working, ids never repeat, groups are not seeded twice', { skip: Boolean(process.env.DATABASE_URL) && 'the demo runs on the embedded database here' }, async () => {
  const config = testConfig({ DEMO_MODE: 'on', LOG_LEVEL: 'silent' });
  const sandboxRoot = (lines: string[]) => /Telegram sandbox: (\S+)/.exec(lines.join('\n'))![1]!;
  const post = async (url: string, body: unknown, token?: string) => fetch(url, {
    method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body),
  });
  const logIn = async (url: string) => ((await (await post(`${url}/api/auth/login`, { username: demoLogin.username, password: demoLogin.password })).json()) as { token: string }).token;

  const firstLines: string[] = [];
  const first = await startAll(config, (line) => firstLines.push(line));
  let secondBot: { id: number; token: string };
  try {
    const root = sandboxRoot(firstLines);
    secondBot = await (await post(`${root}/sandbox/bots`, { username: 'restart_check_bot' })).json() as { id: number; token: string };
    const token = await logIn(first.url);
    assert.equal((await post(`${first.url}/api/bots`, { token: secondBot.token }, token)).status, 201);
    await eventually(async () => {
      const { groups } = await (await fetch(`${first.url}/api/groups/list`, { headers: { authorization: `Bearer ${token}` } })).json() as { groups: unknown[] };
      return groups.length >= 3;
    }, 20_000, 'the demo groups');
  } finally {
    await first.stop();
  }

  const secondLines: string[] = [];
  const second = await startAll(config, (line) => secondLines.push(line));
  try {
    assert.match(secondLines.join('\n'), /its world restored/);
    const root = sandboxRoot(secondLines);
    const getMe = await (await fetch(`${root}/bot${secondBot.token}/getMe`)).json() as { ok: boolean; result: { id: number } };
    assert.deepEqual([getMe.ok, getMe.result.id], [true, secondBot.id], 'the connected bot’s token still works after the restart');
    const newer = await (await post(`${root}/sandbox/bots`, { username: 'after_restart_bot' })).json() as { id: number };
    assert.notEqual(newer.id, secondBot.id, 'a new bot never gets an earlier bot’s id');
    // The sandbox's call log starts empty at every start: a successful poll now is the restarted session's.
    await eventually(async () => {
      const calls = await (await fetch(`${root}/sandbox/calls?botId=${secondBot.id}&method=getUpdates`)).json() as Array<{ ok: boolean }>;
      return calls.some((call) => call.ok);
    }, 30_000, 'the bot connected before the restart polling again');
    const token = await logIn(second.url);
    const { bots } = await (await fetch(`${second.url}/api/bots`, { headers: { authorization: `Bearer ${token}` } })).json() as { bots: Array<{ username: string; status: string }> };
    assert.ok(bots.every((b) => b.status !== 'failed'), 'no bot parked as rejected by Telegram');
    const { groups } = await (await fetch(`${second.url}/api/groups/list`, { headers: { authorization: `Bearer ${token}` } })).json() as { groups: Array<{ title: string }> };
    assert.deepEqual(groups.map((g) => g.title).sort(), ['Duyurular', 'Kovan Topluluk', 'Satış Destek'], 'the demo groups are reused, not seeded again');
  } finally {
    await second.stop();
  }
});
