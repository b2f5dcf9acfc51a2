import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demoModeWanted, startAll } from '../../src/roles/start.js';
import { demoLogin } from '../../src/demo/seed.js';
import { testConfig } from '../helpers/env.js';
import { eventually } from '../helpers/processes.js';

test('demo mode is on only when no real Telegram is configured', () => {
  assert.equal(demoModeWanted(testConfig()), true);
  assert.equal(demoModeWanted(testConfig({ PLATFORM_BOT_TOKEN: '123:abc' })), false);
  assert.equal(demoModeWanted(testConfig({ TELEGRAM_API_ROOT: 'http://127.0.0.1:9999' })), false);
  assert.equal(demoModeWanted(testConfig({ DEMO_MODE: 'off' })), false);
});

test('`kovan start` in demo mode: the sandbox, a demo tenant with a connected bot, groups and life in the history', { skip: Boolean(process.env.DATABASE_URL) && 'the demo runs on the embedded database here (on PostgreSQL it supervises worker processes; covered by the fleet tests)' }, async () => {
  const lines: string[] = [];
  const config = testConfig({ DEMO_MODE: 'on', LOG_LEVEL: 'silent' });
  const running = await startAll(config, (line) => lines.push(line));
  try {
    const output = lines.join('\n');
    assert.match(output, /DEMO MODE/);
    assert.match(output, new RegExp(`username "${demoLogin.username}", password "${demoLogin.password}"`));
    const login = await fetch(`${running.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: demoLogin.username, password: demoLogin.password }) });
    assert.equal(login.status, 200);
    const { token } = await login.json() as { token: string };
    const get = async (path: string) => (await fetch(`${running.url}${path}`, { headers: { authorization: `Bearer ${token}` } })).json() as Promise<any>;
    const me = await get('/api/auth/me');
    assert.equal(me.plan.plan.code, 'premium');
    const groups = await eventually(async () => { const g = await get('/api/groups/list'); return g.groups?.length >= 3 && g.groups; }, 20_000, 'three demo groups');
    assert.deepEqual(groups.map((g: { title: string }) => g.title).sort(), ['Duyurular', 'Kovan Topluluk', 'Satış Destek']);
    const range = `start_date=${new Date(Date.now() - 86_400_000).toISOString()}&end_date=${new Date(Date.now() + 60_000).toISOString()}`;
    const written = await eventually(async () => {
      const h = await get(`/api/messages/history?${range}&direction=in`);
      const texts = (h.items as Array<{ kind: string; text: string | null }>).filter((m: { kind: string }) => m.kind === 'text');
      return texts.length > 0 && texts;
    }, 30_000, 'a simulated person writing in a demo group');
    assert.ok(written.length > 0 && written.every((m: { text: string | null }) => typeof m.text === 'string' && m.text.length > 0), 'people wrote real text');
    const operator = await fetch(`${running.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'operator', password: 'kovan-operator-2026' }) });
    const operatorToken = (await operator.json() as { token: string }).token;
    const fleet = await (await fetch(`${running.url}/api/admin/fleet`, { headers: { authorization: `Bearer ${operatorToken}` } })).json() as { workers: unknown[]; sessions: Array<{ state: string }> };
    assert.equal(fleet.workers.length, 1, 'one in-process worker');
    assert.ok(fleet.sessions.some((s) => s.state === 'running'), 'the demo tenant’s session runs');
    assert.equal((await fetch(`${running.url}/api/admin/fleet`, { headers: { authorization: `Bearer ${token}` } })).status, 403, 'a customer is not an operator');
  } finally {
    await running.stop();
  }
});
