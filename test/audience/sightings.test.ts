import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { recordSighting } from '../../src/audience/index.js';
import { startTestApi, registerTenant, type TestApi } from '../helpers/api.js';
import { realPostgres } from '../helpers/env.js';

let api: TestApi;
let tenantId: string;
before(async () => { api = await startTestApi(); tenantId = (await registerTenant(api, 'seen')).tenantId; });
after(async () => { await api.close(); });

const person = { id: 5_100_000_001, is_bot: false, first_name: 'Ayşe', username: 'ayse' };

test('a person is new once, active once a day, and their messages are counted', async () => {
  const first = await api.services.db.withTenant(tenantId, (tx) => recordSighting(tx, person, 'Europe/Istanbul', { wroteMessage: true }));
  const second = await api.services.db.withTenant(tenantId, (tx) => recordSighting(tx, { ...person, first_name: 'Ayşe Y.' }, 'Europe/Istanbul', { wroteMessage: true }));
  assert.deepEqual(first, { isNew: true, firstToday: true });
  assert.deepEqual(second, { isNew: false, firstToday: false });
  await api.services.db.withOwner((tx) => tx.query(`UPDATE tg_users SET last_seen_at = now() - interval '2 days' WHERE user_id = $1`, [person.id]));
  const nextDay = await api.services.db.withTenant(tenantId, (tx) => recordSighting(tx, person, 'Europe/Istanbul', { wroteMessage: false }));
  assert.deepEqual(nextDay, { isNew: false, firstToday: true });
  const row = await api.services.db.withTenant(tenantId, async (tx) => (await tx.query<{ message_count: number; first_name: string; user_id: number }>(`SELECT message_count, first_name, user_id FROM tg_users`)).rows[0]!);
  assert.deepEqual(row, { message_count: 2, first_name: 'Ayşe', user_id: 5_100_000_001 });
});

test('a private message opens the conversation: started, and unblocked if the person had blocked the bot', async () => {
  const writer = { id: 5_100_000_002, is_bot: false, first_name: 'Mehmet' };
  const read = () => api.services.db.withTenant(tenantId, async (tx) => (await tx.query<{ started: boolean; blocked: boolean }>(
    `SELECT started_at IS NOT NULL AS started, blocked_at IS NOT NULL AS blocked FROM tg_users WHERE user_id = $1`, [writer.id])).rows[0]!);
  await api.services.db.withTenant(tenantId, (tx) => recordSighting(tx, writer, 'UTC', { wroteMessage: true }));
  assert.deepEqual(await read(), { started: false, blocked: false }, 'a group message does not open a private conversation');
  await api.services.db.withTenant(tenantId, (tx) => tx.query(`UPDATE tg_users SET blocked_at = now() WHERE user_id = $1`, [writer.id]));
  await api.services.db.withTenant(tenantId, (tx) => recordSighting(tx, writer, 'UTC', { wroteMessage: true, startedChat: true }));
  assert.deepEqual(await read(), { started: true, blocked: false });
});

test('two updates of a new person at once: new exactly once, active today exactly once', { skip: !realPostgres && 'needs parallel connections (PGlite serves one at a time)' }, async () => {
  const twin = { id: 5_100_000_003, is_bot: false, first_name: 'Zeynep' };
  const both = await Promise.all([0, 1].map(() => api.services.db.withTenant(tenantId, (tx) => recordSighting(tx, twin, 'UTC', { wroteMessage: true }))));
  assert.deepEqual(both.map((s) => s.isNew).sort(), [false, true]);
  assert.deepEqual(both.map((s) => s.firstToday).sort(), [false, true]);
});
