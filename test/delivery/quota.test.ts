import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { enqueueDelivery, enqueueMany, getUsage, type DeliveryRequest } from '../../src/delivery/index.js';
import { listNotifications, sendPendingNotifications } from '../../src/notify/index.js';
import type { Database } from '../../src/platform/db/index.js';
import type { Email, Mailer } from '../../src/platform/mail.js';
import { setSubscriptionPlan } from '../../src/tenancy/index.js';
import { openTestDatabase, realPostgres } from '../helpers/env.js';
import { createTestTenant, insertBot, insertGroup, quietLog } from './fixtures.js';

/**
 * Accepting messages: the quota counter, the day boundary in the tenant's zone, plan
 * changes, idempotency, and every refusal leaving a reason in the history.
 */
let db: Database;
before(async () => { db = await openTestDatabase({ poolSize: 25 }); });
after(async () => { await db.close(); });

let seq = 0;
function reply(botId: string, chatId = 1000 + seq, key = `k${seq++}`): DeliveryRequest {
  return { botId, chatId, kind: 'reply', text: `reply ${key}`, idempotencyKey: key };
}

/** Charges the quota up to `used` by accepting that many messages. */
async function useQuota(tenantId: string, botId: string, used: number, now?: Date): Promise<void> {
  await db.withTenant(tenantId, (tx) => enqueueMany(tx, Array.from({ length: used }, () => reply(botId)), { ...(now ? { now } : {}) }));
}

async function botTenant(options: Parameters<typeof createTestTenant>[1] = {}) {
  const tenant = await createTestTenant(db, options);
  const botId = await insertBot(db, tenant.tenantId, 7_100_000_000 + seq++, `q${seq}_bot`);
  return { ...tenant, botId };
}

test('20 parallel enqueues at 99 of 100: exactly one is accepted', { skip: !realPostgres && 'needs parallel connections (PGlite serves one at a time); runs on real PostgreSQL' }, async () => {
  const t = await botTenant();
  await useQuota(t.tenantId, t.botId, 99);
  const results = await Promise.all(Array.from({ length: 20 }, () => db.withTenant(t.tenantId, (tx) => enqueueDelivery(tx, reply(t.botId)))));
  assert.equal(results.filter((r) => r.status === 'accepted').length, 1);
  const refused = results.filter((r) => r.status === 'rejected');
  assert.equal(refused.length, 19);
  for (const r of refused) assert.equal(r.status === 'rejected' && r.reason, 'quota_exceeded');
  const usage = await db.withTenant(t.tenantId, (tx) => getUsage(tx));
  assert.equal(usage.used, 100);
  assert.equal(usage.remaining, 0);
  const history = await db.withTenant(t.tenantId, (tx) => tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM messages WHERE status = 'rejected' AND reason = 'quota_exceeded'`));
  assert.equal(history.rows[0]!.n, 19, 'every refusal is in the history');
});

test('the same decision twice is a duplicate, charged once — also when both race', async () => {
  const t = await botTenant();
  const request = reply(t.botId);
  const first = await db.withTenant(t.tenantId, (tx) => enqueueDelivery(tx, request));
  const again = await db.withTenant(t.tenantId, (tx) => enqueueDelivery(tx, request));
  assert.equal(first.status, 'accepted');
  assert.deepEqual(again, { status: 'duplicate', id: first.status === 'accepted' ? first.id : '' });
  const raced = reply(t.botId);
  const both = await Promise.all([0, 1].map(() => db.withTenant(t.tenantId, (tx) => enqueueDelivery(tx, raced))));
  assert.deepEqual(both.map((r) => r.status).sort(), ['accepted', 'duplicate']);
  const usage = await db.withTenant(t.tenantId, (tx) => getUsage(tx));
  assert.equal(usage.used, 2, 'the lost race was refunded');
});

test('the quota day follows the tenant’s time zone, and a new day starts from zero', async () => {
  const t = await botTenant({ timeZone: 'Europe/Istanbul' });
  // 20:59:59 UTC is 23:59:59 in Istanbul (UTC+3); one second later it is the next day there.
  const lastSecond = new Date('2030-06-01T20:59:59Z');
  const nextDay = new Date('2030-06-01T21:00:00Z');
  await useQuota(t.tenantId, t.botId, 100, lastSecond);
  const late = await db.withTenant(t.tenantId, (tx) => enqueueDelivery(tx, reply(t.botId), { now: lastSecond }));
  assert.equal(late.status, 'rejected');
  assert.match(late.status === 'rejected' ? late.message : '', /resets at 2030-06-02 00:00 \(Europe\/Istanbul\)/);
  const early = await db.withTenant(t.tenantId, (tx) => enqueueDelivery(tx, reply(t.botId), { now: nextDay }));
  assert.equal(early.status, 'accepted');
  assert.equal(early.status === 'accepted' && early.quotaDay, '2030-06-02');
  const usage = await db.withTenant(t.tenantId, (tx) => getUsage(tx, { now: nextDay }));
  assert.deepEqual({ day: usage.day, used: usage.used, resetsAt: usage.resetsAt.toISOString() }, { day: '2030-06-02', used: 1, resetsAt: '2030-06-02T21:00:00.000Z' });
});

test('a plan upgrade mid-day takes effect at once, and so does a downgrade', async () => {
  const t = await botTenant();
  await useQuota(t.tenantId, t.botId, 100);
  assert.equal((await db.withTenant(t.tenantId, (tx) => enqueueDelivery(tx, reply(t.botId)))).status, 'rejected');
  await db.withTenant(t.tenantId, (tx) => setSubscriptionPlan(tx, 'advanced'));
  assert.equal((await db.withTenant(t.tenantId, (tx) => enqueueDelivery(tx, reply(t.botId)))).status, 'accepted');
  assert.equal((await db.withTenant(t.tenantId, (tx) => getUsage(tx))).limit, 500);
  await db.withTenant(t.tenantId, (tx) => setSubscriptionPlan(tx, 'basic'));
  assert.equal((await db.withTenant(t.tenantId, (tx) => enqueueDelivery(tx, reply(t.botId)))).status, 'rejected');
});

test('Enterprise limits are the tenant’s own', async () => {
  const a = await botTenant({ plan: 'enterprise', messagesPerDay: 3 });
  const b = await botTenant({ plan: 'enterprise', messagesPerDay: 5 });
  const send = (t: typeof a) => db.withTenant(t.tenantId, (tx) => enqueueMany(tx, Array.from({ length: 6 }, () => reply(t.botId))));
  assert.equal((await send(a)).filter((r) => r.status === 'accepted').length, 3);
  assert.equal((await send(b)).filter((r) => r.status === 'accepted').length, 5);
});

test('80 % and 100 % each notify once, recorded with the decision and e-mailed to the owners', async () => {
  const t = await botTenant();
  await useQuota(t.tenantId, t.botId, 79);
  assert.equal((await db.withTenant(t.tenantId, (tx) => listNotifications(tx))).length, 0);
  await useQuota(t.tenantId, t.botId, 2);
  await useQuota(t.tenantId, t.botId, 19);
  await useQuota(t.tenantId, t.botId, 5);
  const events = (await db.withTenant(t.tenantId, (tx) => listNotifications(tx))).map((n) => n.event).sort();
  assert.deepEqual(events, ['quota_exhausted', 'quota_warning']);
  const sent: Email[] = [];
  const mailer: Mailer = { send: async (email) => { sent.push(email); } };
  assert.deepEqual(await sendPendingNotifications({ db, mailer, log: quietLog }, t.tenantId), { emailed: 2, telegrammed: 0 });
  assert.deepEqual(await sendPendingNotifications({ db, mailer, log: quietLog }, t.tenantId), { emailed: 0, telegrammed: 0 }, 'each notice is mailed once');
  assert.deepEqual(sent.map((e) => e.to), [t.ownerEmail, t.ownerEmail]);
  assert.ok(sent.some((e) => /Daily message quota used up/.test(e.subject)));
});

test('a broadcast is accepted in part: the first messages that fit, the rest refused or booked on the next day', async () => {
  const t = await botTenant({ timeZone: 'UTC' });
  const now = new Date('2031-01-10T12:00:00Z');
  await useQuota(t.tenantId, t.botId, 95, now);
  const batch = (tag: string) => Array.from({ length: 8 }, (_, i): DeliveryRequest => ({ botId: t.botId, chatId: -100 - i, kind: 'broadcast', text: `b${i}`, idempotencyKey: `${tag}${i}` }));
  const refused = await db.withTenant(t.tenantId, (tx) => enqueueMany(tx, batch('r'), { now, overflow: 'reject' }));
  assert.deepEqual(refused.map((r) => r.status), ['accepted', 'accepted', 'accepted', 'accepted', 'accepted', 'rejected', 'rejected', 'rejected']);
  const deferred = await db.withTenant(t.tenantId, (tx) => enqueueMany(tx, batch('d'), { now, overflow: 'next_day' }));
  assert.ok(deferred.every((r) => r.status === 'accepted'));
  for (const r of deferred) {
    assert.equal(r.status === 'accepted' && r.quotaDay, '2031-01-11');
    assert.equal(r.status === 'accepted' && r.deferredUntil?.toISOString(), '2031-01-11T00:00:00.000Z');
  }
  const usage = await db.withTenant(t.tenantId, (tx) => getUsage(tx, { now }));
  assert.deepEqual(usage.booked, [{ day: '2031-01-11', used: 8 }]);
});

test('refusals name their reason: paused group, group over the plan, blocked user, bad text', async () => {
  const t = await botTenant({ plan: 'basic' });
  const groups: number[] = [];
  for (let i = 0; i < 6; i++) {
    groups.push(-2000 - i);
    await insertGroup(db, t.tenantId, t.botId, -2000 - i);
  }
  await db.withTenant(t.tenantId, async (tx) => {
    await tx.query(`UPDATE groups SET enabled = false WHERE chat_id = $1`, [groups[0]]);
    await tx.query(`INSERT INTO tg_users (tenant_id, user_id, blocked_at) VALUES ($1, 555, now())`, [t.tenantId]);
  });
  const results = await db.withTenant(t.tenantId, (tx) => enqueueMany(tx, [
    ...groups.map((chatId): DeliveryRequest => ({ botId: t.botId, chatId, kind: 'scheduled', text: 'post', idempotencyKey: `g${chatId}` })),
    { botId: t.botId, chatId: 555, kind: 'reply', text: 'hi', idempotencyKey: 'blocked' },
    { botId: t.botId, chatId: 556, kind: 'reply', text: '   ', idempotencyKey: 'empty' },
    { botId: '00000000-0000-4000-8000-000000000000', chatId: 556, kind: 'reply', text: 'hi', idempotencyKey: 'nobot' },
  ]));
  const reasons = results.map((r) => (r.status === 'rejected' ? r.reason : r.status));
  // Basic allows 5 groups: the sixth (newest) is beyond the plan.
  assert.deepEqual(reasons, ['group_paused', 'accepted', 'accepted', 'accepted', 'accepted', 'group_limit', 'recipient_blocked', 'message_invalid', 'bot_unavailable']);
  const history = await db.withTenant(t.tenantId, (tx) => tx.query<{ reason: string }>(`SELECT reason FROM messages WHERE status = 'rejected' ORDER BY id`));
  assert.deepEqual(history.rows.map((r) => r.reason), ['group_paused', 'group_limit', 'recipient_blocked', 'message_invalid', 'bot_unavailable']);
});
