import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { enqueueMany, planDelivery, type DeliveryRequest } from '../../src/delivery/index.js';
import { windowEndAfter } from '../../src/delivery/zoned-time.js';
import { updateGroup } from '../../src/groups/index.js';
import type { Database } from '../../src/platform/db/index.js';
import { updateConfig } from '../../src/tenancy/index.js';
import { openTestDatabase } from '../helpers/env.js';
import { createTestTenant, insertBot, insertGroup } from './fixtures.js';

/**
 * Quiet hours: planned posts wait for the window to end, welcomes are not posted in it (and
 * the history says why), replies and private chats are never held. Times are the tenant's.
 */
let db: Database;
before(async () => { db = await openTestDatabase(); });
after(async () => { await db.close(); });

const night = { start: '22:00', end: '07:00' };

/**
 * The next 23:30 in Istanbul (UTC+3 all year), from the real clock: what is already queued
 * becomes due at the database's `now()`, so a fixed date in the past would put the
 * planner's queue ahead of the test's clock.
 */
function nextIstanbulHalfPastEleven(): Date {
  const at = new Date();
  at.setUTCHours(20, 30, 0, 0);
  if (at.getTime() < Date.now()) at.setUTCDate(at.getUTCDate() + 1);
  return at;
}

test('the window: inside it, the instant it ends; outside it, nothing; across midnight and in other zones', () => {
  const ist = 'Europe/Istanbul'; // UTC+3 all year
  assert.equal(windowEndAfter(new Date('2026-11-26T20:30:00Z'), night, ist)?.toISOString(), '2026-11-27T04:00:00.000Z', '23:30 → 07:00 next morning');
  assert.equal(windowEndAfter(new Date('2026-11-27T03:59:00Z'), night, ist)?.toISOString(), '2026-11-27T04:00:00.000Z', '06:59 → 07:00 the same morning');
  assert.equal(windowEndAfter(new Date('2026-11-27T04:00:00Z'), night, ist), null, '07:00 is after the window');
  assert.equal(windowEndAfter(new Date('2026-11-26T18:59:00Z'), night, ist), null, '21:59 is before it');
  assert.equal(windowEndAfter(new Date('2026-11-26T10:00:00Z'), { start: '12:00', end: '14:30' }, ist)?.toISOString(), '2026-11-26T11:30:00.000Z', 'a daytime window');
  assert.equal(windowEndAfter(new Date('2026-11-26T10:00:00Z'), { start: '09:00', end: '09:00' }, ist), null, 'an empty window');
  assert.equal(windowEndAfter(new Date('2026-11-26T20:30:00Z'), night, 'UTC'), null, 'the same instant is 20:30 in UTC: not quiet there');
  // New York leaves DST on 2026-11-01: 23:30 EST (04:30Z) ends at 07:00 EST (12:00Z), not 11:00Z.
  assert.equal(windowEndAfter(new Date('2026-11-02T04:30:00Z'), night, 'America/New_York')?.toISOString(), '2026-11-02T12:00:00.000Z');
});

test('at 23:30 in the tenant’s zone: scheduled posts wait until 07:00, welcomes are skipped with a reason, replies and private chats go', async () => {
  const t = await createTestTenant(db, { plan: 'premium', timeZone: 'Europe/Istanbul' });
  const botId = await insertBot(db, t.tenantId, 7_300_000_000 + (process.pid % 100_000), `quiet${process.pid}_bot`);
  const [quietChat, ownWindowChat] = [-100_700_001, -100_700_002];
  await insertGroup(db, t.tenantId, botId, quietChat);
  const ownWindowGroup = await insertGroup(db, t.tenantId, botId, ownWindowChat);
  await db.withTenant(t.tenantId, async (tx) => {
    await updateConfig(tx, 'quiet_hours', night);
    await updateGroup(tx, ownWindowGroup, { settings: { quietHours: { start: '01:00', end: '02:00' } } });
  });

  const now = nextIstanbulHalfPastEleven();
  const sevenNextMorning = new Date(now.getTime() + (7 * 60 + 30) * 60_000); // 07:00 in Istanbul, 04:00Z
  const ask = (chatId: number, kind: DeliveryRequest['kind'], key: string): DeliveryRequest => ({ botId, chatId, kind, text: `${kind} ${key}`, idempotencyKey: key });
  const [scheduled, ownWindow, reply, welcome, privateGreeting] = await db.withTenant(t.tenantId, (tx) => enqueueMany(tx, [
    ask(quietChat, 'scheduled', 's1'), ask(ownWindowChat, 'broadcast', 'b1'), ask(quietChat, 'reply', 'r1'), ask(quietChat, 'welcome', 'w1'), ask(555_000_111, 'welcome', 'p1'),
  ], { now }));

  assert.equal(scheduled!.status, 'accepted');
  assert.equal(scheduled!.status === 'accepted' && scheduled!.deferredUntil?.toISOString(), sevenNextMorning.toISOString(), 'held until 07:00 local');
  assert.ok(ownWindow!.status === 'accepted' && !ownWindow!.deferredUntil, "the group's own window (01:00–02:00) overrides the tenant's default");
  assert.ok(reply!.status === 'accepted' && !reply!.deferredUntil, 'a reply is never held');
  assert.ok(privateGreeting!.status === 'accepted', 'a private chat has no quiet hours');
  assert.equal(welcome!.status === 'rejected' && welcome!.reason, 'quiet_hours');
  assert.ok((welcome!.status === 'rejected' ? welcome!.message : '').includes(`until ${sevenNextMorning.toISOString().slice(0, 10)} 07:00 (Europe/Istanbul)`));

  const rows = await db.withTenant(t.tenantId, (tx) => tx.query<{ key: string; not_before: Date }>(`SELECT idempotency_key AS key, not_before FROM outbox ORDER BY idempotency_key`));
  assert.equal(rows.rows.find((r) => r.key === 's1')!.not_before.toISOString(), sevenNextMorning.toISOString(), 'the outbox will not send it before then');
  const history = await db.withTenant(t.tenantId, (tx) => tx.query<{ kind: string; reason: string }>(`SELECT kind, reason FROM messages WHERE status = 'rejected'`));
  assert.deepEqual(history.rows, [{ kind: 'welcome', reason: 'quiet_hours' }], 'the skipped welcome is in the history with its reason');

  const plan = await db.withTenant(t.tenantId, (tx) => planDelivery(tx, { messages: [{ botId, chatId: quietChat }, { botId, chatId: ownWindowChat }], kind: 'broadcast', now }));
  const [heldEta, freeEta] = plan.etas.map((e) => e.eta!.getTime());
  assert.ok(heldEta! >= sevenNextMorning.getTime(), `the planner shows the held post after 07:00 (${new Date(heldEta!).toISOString()})`);
  assert.ok(freeEta! < now.getTime() + 30 * 60_000, `the other group's post goes now (${new Date(freeEta!).toISOString()})`);
});
