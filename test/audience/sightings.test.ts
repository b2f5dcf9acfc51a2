import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { recordSighting } from '../../src/audience/index.js';
import { startTestApi, registerTenant, type TestApi } from '../helpers/api.js';

let api: TestApi;
let tenantId: string;
before(async () => { api = await startTestApi(); tenantId = (await registerTenant(api, 'seen')).tenantId; });
after(async () => { await api.close(); });

const person = { id: 5_100_000_001, is_bot: false, first_name: 'Ayşe', username: 'ayse' };

test('a person is new once, active once a day, and their messages are counted', async () => {
  const first = await api.services.db.withTenant(tenantId, (tx) => recordSighting(tx, person, 'Europe/Istanbul', true));
  const second = await api.services.db.withTenant(tenantId, (tx) => recordSighting(tx, { ...person, first_name: 'Ayşe Y.' }, 'Europe/Istanbul', true));
  assert.deepEqual(first, { isNew: true, firstToday: true });
  assert.deepEqual(second, { isNew: false, firstToday: false });
  await api.services.db.withOwner((tx) => tx.query(`UPDATE tg_users SET last_seen_at = now() - interval '2 days' WHERE user_id = $1`, [person.id]));
  const nextDay = await api.services.db.withTenant(tenantId, (tx) => recordSighting(tx, person, 'Europe/Istanbul', false));
  assert.deepEqual(nextDay, { isNew: false, firstToday: true });
  const row = await api.services.db.withTenant(tenantId, async (tx) => (await tx.query<{ message_count: number; first_name: string; user_id: number }>(`SELECT message_count, first_name, user_id FROM tg_users`)).rows[0]!);
  assert.deepEqual(row, { message_count: 2, first_name: 'Ayşe', user_id: 5_100_000_001 });
});
