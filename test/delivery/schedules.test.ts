import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  cancelSchedule, createSchedule, getUsage, listScheduleRuns, pauseSchedule, resumeSchedule, runDueSchedules, runScheduleNow, updateSchedule,
  type LeaseToken, type ScheduleInput,
} from '../../src/delivery/index.js';
import type { Database } from '../../src/platform/db/index.js';
import { AppError } from '../../src/platform/errors.js';
import { createTemplate } from '../../src/templates/index.js';
import { updateConfig } from '../../src/tenancy/index.js';
import { openTestDatabase } from '../helpers/env.js';
import { createTestTenant, grantLease, insertBot, insertGroup, outboxStatuses } from './fixtures.js';

/**
 * Schedules and broadcasts: validation, runs that happen once per occurrence, DST, missed
 * runs after downtime, and pause / resume / cancel acting on messages already queued.
 */
let db: Database;
before(async () => { db = await openTestDatabase(); });
after(async () => { await db.close(); });

interface Fixture {
  tenantId: string;
  lease: LeaseToken;
  groupIds: string[];
}

let seq = 0;
async function fixture(options: { timeZone?: string; groups?: number } = {}): Promise<Fixture> {
  const { tenantId } = await createTestTenant(db, { plan: 'premium', ...options });
  const botId = await insertBot(db, tenantId, 7_200_000_000 + seq, `s${seq++}_bot`);
  const groupIds: string[] = [];
  for (let i = 0; i < (options.groups ?? 2); i++) groupIds.push(await insertGroup(db, tenantId, botId, -3_000_000 - seq * 10 - i, `Group ${i}`));
  return { tenantId, lease: await grantLease(db, tenantId, `w${seq}`), groupIds };
}

const create = (f: Fixture, input: Partial<ScheduleInput>, now: Date) =>
  db.withTenant(f.tenantId, (tx) => createSchedule(tx, { name: 'Post', text: 'Hello', groupIds: f.groupIds, ...input }, { now }));

async function validationFields(fn: () => Promise<unknown>): Promise<string[]> {
  try {
    await fn();
  } catch (error) {
    assert.ok(error instanceof AppError && error.code === 'validation_failed', String(error));
    return (error.details.fields ?? []).map((f) => f.field);
  }
  assert.fail('expected a validation error');
}

test('a schedule is checked whole: every problem is named', async () => {
  const f = await fixture();
  const now = new Date();
  assert.deepEqual(await validationFields(() => create(f, { cron: '61 * * *', timeZone: 'Mars/Olympus', groupIds: ['00000000-0000-4000-8000-000000000000'] }, now)),
    ['group_ids', 'time_zone']);
  assert.deepEqual(await validationFields(() => create(f, { text: null, runAt: new Date(now.getTime() - 3_600_000) }, now)), ['template_id', 'run_at']);
  assert.deepEqual(await validationFields(() => create(f, { cron: '* * * *' }, now)), ['cron']);
  assert.deepEqual(await validationFields(() => create(f, { text: '<b>unclosed', parseMode: 'HTML', cron: '0 9 * * *' }, now)), ['text']);
});

test('a one-off runs once at its time; a second tick or a repeated run sends nothing more', async () => {
  const f = await fixture({ groups: 3 });
  const at = new Date('2032-05-05T10:00:00Z');
  const { schedule } = await create(f, { runAt: at }, new Date('2032-05-05T09:00:00Z'));
  assert.deepEqual(await runDueSchedules({ db, tenantId: f.tenantId, lease: f.lease, now: new Date('2032-05-05T09:59:00Z') }), []);
  const [run] = await runDueSchedules({ db, tenantId: f.tenantId, lease: f.lease, now: at });
  assert.deepEqual({ status: run!.status, accepted: run!.accepted }, { status: 'enqueued', accepted: 3 });
  assert.deepEqual(await runDueSchedules({ db, tenantId: f.tenantId, lease: f.lease, now: at }), []);
  // Even forced to run the same occurrence again, the run id stops it.
  await db.withTenant(f.tenantId, (tx) => tx.query(`UPDATE schedules SET status = 'active', next_run_at = $2 WHERE id = $1`, [schedule.id, at]));
  const again = await db.withTenant(f.tenantId, (tx) => runScheduleNow(tx, schedule.id, at));
  assert.equal(again!.status, 'already_ran');
  assert.deepEqual(await outboxStatuses(db, f.tenantId), { queued: 3 });
});

test('a template is rendered per group, with the group’s title', async () => {
  const f = await fixture({ groups: 2 });
  const template = await db.withTenant(f.tenantId, (tx) => createTemplate(tx, { kind: 'message', name: 'Hi', content: 'Hello <b>{group_title}</b>' }));
  const now = new Date('2032-06-01T08:00:00Z');
  await create(f, { text: null, templateId: template.id, runAt: now }, now);
  await runDueSchedules({ db, tenantId: f.tenantId, lease: f.lease, now });
  const texts = await db.withTenant(f.tenantId, (tx) => tx.query<{ text: string; parse: string }>(`SELECT text, parse_mode AS parse FROM outbox ORDER BY seq`));
  assert.deepEqual(texts.rows, [{ text: 'Hello <b>Group 0</b>', parse: 'HTML' }, { text: 'Hello <b>Group 1</b>', parse: 'HTML' }]);
});

/** Runs the schedule at each of its next `count` occurrences, returning the run times. */
async function runTimes(f: Fixture, scheduleId: string, count: number): Promise<string[]> {
  const times: string[] = [];
  for (let i = 0; i < count; i++) {
    const next = await db.withTenant(f.tenantId, (tx) => tx.query<{ at: Date }>(`SELECT next_run_at AS at FROM schedules WHERE id = $1`, [scheduleId]));
    const [run] = await runDueSchedules({ db, tenantId: f.tenantId, lease: f.lease, now: next.rows[0]!.at });
    times.push(run!.runAt.toISOString());
  }
  return times;
}

test('across the spring DST change, a 09:30 Berlin post stays at 09:30 local; 02:30, which does not exist that day, runs at 03:00', async () => {
  const f = await fixture({ timeZone: 'Europe/Berlin', groups: 1 });
  const created = new Date('2025-03-28T00:00:00Z');
  const morning = await create(f, { cron: '30 9 * * *' }, created);
  assert.deepEqual(await runTimes(f, morning.schedule.id, 4), ['2025-03-28T08:30:00.000Z', '2025-03-29T08:30:00.000Z', '2025-03-30T07:30:00.000Z', '2025-03-31T07:30:00.000Z']);
  const night = await create(f, { cron: '30 2 * * *' }, created);
  assert.deepEqual(await runTimes(f, night.schedule.id, 3), ['2025-03-28T01:30:00.000Z', '2025-03-29T01:30:00.000Z', '2025-03-30T01:00:00.000Z']);
});

test('across the autumn DST change, 02:30 (which happens twice) runs once', async () => {
  const f = await fixture({ timeZone: 'Europe/Berlin', groups: 1 });
  const night = await create(f, { cron: '30 2 * * *', timeZone: 'Europe/Berlin' }, new Date('2025-10-25T12:00:00Z'));
  assert.deepEqual(await runTimes(f, night.schedule.id, 2), ['2025-10-26T00:30:00.000Z', '2025-10-27T01:30:00.000Z']);
});

test('missed runs after downtime: run_once sends one run for the latest occurrence; skip sends nothing', async () => {
  for (const policy of ['run_once', 'skip'] as const) {
    const f = await fixture({ groups: 2 });
    await db.withTenant(f.tenantId, (tx) => updateConfig(tx, 'missed_run_policy', policy));
    const { schedule } = await create(f, { cron: '0 * * * *' }, new Date('2033-01-01T00:30:00Z'));
    const backAt = new Date('2033-01-01T05:20:00Z');
    const reports = await runDueSchedules({ db, tenantId: f.tenantId, lease: f.lease, now: backAt });
    assert.equal(reports.length, 1, policy);
    assert.equal(reports[0]!.runAt.toISOString(), '2033-01-01T05:00:00.000Z');
    assert.equal(reports[0]!.status, policy === 'run_once' ? 'enqueued' : 'skipped');
    assert.match(reports[0]!.reason ?? '', /4 earlier occurrence\(s\) missed/);
    assert.deepEqual(await outboxStatuses(db, f.tenantId), policy === 'run_once' ? { queued: 2 } : {});
    const next = await db.withTenant(f.tenantId, (tx) => tx.query<{ at: Date }>(`SELECT next_run_at AS at FROM schedules WHERE id = $1`, [schedule.id]));
    assert.equal(next.rows[0]!.at.toISOString(), '2033-01-01T06:00:00.000Z');
  }
});

test('pause holds a broadcast’s unsent messages, resume releases them, cancel ends them and gives the quota back', async () => {
  const f = await fixture({ groups: 4 });
  const now = new Date();
  const { schedule } = await db.withTenant(f.tenantId, (tx) => createSchedule(tx, { name: 'News', text: 'News!', groupIds: f.groupIds, runAt: now }, { kind: 'broadcast', now }));
  await db.withTenant(f.tenantId, (tx) => runScheduleNow(tx, schedule.id, now));
  assert.equal((await db.withTenant(f.tenantId, (tx) => getUsage(tx))).used, 4);
  const paused = await db.withTenant(f.tenantId, (tx) => pauseSchedule(tx, schedule.id));
  assert.equal(paused.status, 'paused');
  assert.deepEqual(await outboxStatuses(db, f.tenantId), { paused: 4 });
  const resumed = await db.withTenant(f.tenantId, (tx) => resumeSchedule(tx, schedule.id));
  assert.equal(resumed.status, 'completed', 'a one-off that already ran has nothing more to run');
  assert.deepEqual(await outboxStatuses(db, f.tenantId), { queued: 4 });
  await assert.rejects(db.withTenant(f.tenantId, (tx) => resumeSchedule(tx, schedule.id)), (e: AppError) => e.code === 'conflict');
  const cancelled = await db.withTenant(f.tenantId, (tx) => cancelSchedule(tx, schedule.id));
  assert.equal(cancelled.status, 'cancelled');
  assert.deepEqual(await outboxStatuses(db, f.tenantId), { cancelled: 4 });
  assert.equal((await db.withTenant(f.tenantId, (tx) => getUsage(tx))).used, 0);
  const history = await db.withTenant(f.tenantId, (tx) => tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM messages WHERE status = 'cancelled'`));
  assert.equal(history.rows[0]!.n, 4);
  const runs = await db.withTenant(f.tenantId, (tx) => listScheduleRuns(tx, schedule.id));
  assert.equal(runs.length, 1);
});

test('a recurring schedule changed to another time recomputes its next run; a cancelled one cannot change', async () => {
  const f = await fixture();
  const now = new Date('2034-02-01T12:00:00Z');
  const { schedule } = await create(f, { cron: '0 9 * * *', timeZone: 'UTC' }, now);
  assert.equal(schedule.nextRunAt!.toISOString(), '2034-02-02T09:00:00.000Z');
  const moved = await db.withTenant(f.tenantId, (tx) => updateSchedule(tx, schedule.id, { cron: '0 18 * * *' }, { now }));
  assert.equal(moved.nextRunAt!.toISOString(), '2034-02-01T18:00:00.000Z');
  await db.withTenant(f.tenantId, (tx) => cancelSchedule(tx, schedule.id));
  await assert.rejects(db.withTenant(f.tenantId, (tx) => updateSchedule(tx, schedule.id, { name: 'x' }, { now })), (e: AppError) => e.code === 'conflict');
});
