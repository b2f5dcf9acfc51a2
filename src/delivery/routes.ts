import { z } from 'zod';
import type { Api, Services } from '../http/types.js';
import { decodeCursor, encodeCursor, pageQuery } from '../http/pagination.js';
import { signalSession } from '../events/index.js';
import { idempotencyKeyHeaders, idempotentPost } from '../idempotency/index.js';
import { sendNoticesInBackground } from '../notify/index.js';
import type { TenantTx } from '../platform/db/index.js';
import type { Schedule } from './contract.js';
import { findRunOutcomes } from './outcome.js';
import { assertPlannable, planDelivery, type PlannedMessage } from './planner.js';
import { listScheduleRuns, runScheduleNow } from './schedule-runs.js';
import {
  cancelSchedule, createSchedule, deleteSchedule, getSchedule, listSchedules, pauseSchedule, resumeSchedule, updateSchedule,
  type ScheduleInput,
} from './schedules.js';
import { groupTargets } from './targets.js';
import { getUsage } from './usage.js';
import { noContent } from '../http/response-contract.js';
import { pageOf } from '../platform/contract.js';
import { deliveryPlanSchema, scheduleRunSchema, scheduleSchema, scheduleWithOutcomeSchema, usageSchema, type ScheduleWithOutcome } from './contract.js';

const scheduleId = z.strictObject({ id: z.uuid() });
const oneSchedule = z.object({ schedule: scheduleSchema });
const onePlan = z.object({ plan: deliveryPlanSchema });
const name = z.string().trim().min(1).max(120);
const text = z.string().min(1).max(16384);
/** `plain` on the wire; null inside (no parse mode). */
const parseMode = z.enum(['HTML', 'plain']);
const groupIds = z.array(z.uuid()).max(10_000);
const instant = z.iso.datetime({ offset: true });
const cron = z.string().trim().min(1).max(120);
const timeZone = z.string().min(1).max(64);
const overflow = z.enum(['next_day', 'reject']);
const status = z.enum(['active', 'paused', 'completed', 'cancelled']);

const scheduleBody = z.strictObject({
  name,
  template_id: z.uuid().optional(),
  text: text.optional(),
  parse_mode: parseMode.optional(),
  group_ids: groupIds.default([]),
  run_at: instant.optional(),
  cron: cron.optional(),
  time_zone: timeZone.optional(),
  overflow: overflow.optional(),
});

/** A change: fields left out stay; null clears (to switch a one-off to a cron, send `run_at: null, cron: "…"`). */
const schedulePatch = z.strictObject({
  name: name.optional(),
  template_id: z.uuid().nullable().optional(),
  text: text.nullable().optional(),
  parse_mode: parseMode.optional(),
  group_ids: groupIds.optional(),
  run_at: instant.nullable().optional(),
  cron: cron.nullable().optional(),
  time_zone: timeZone.nullable().optional(),
  overflow: overflow.optional(),
});

const broadcastBody = z.strictObject({
  name: name.optional(),
  template_id: z.uuid().optional(),
  text: text.optional(),
  parse_mode: parseMode.optional(),
  group_ids: groupIds.min(1),
  overflow: overflow.optional(),
  /** The same key again returns the first broadcast instead of sending a second one. */
  idempotency_key: z.string().min(1).max(200).optional(),
});

/** What a broadcast did: the schedule, its run (null when it did not run now), and the plan of its messages. */
const broadcastAnswer = z.object({ schedule: scheduleWithOutcomeSchema }).extend({ run: scheduleRunSchema.extend({ scheduleId: z.uuid() }).nullable(), plan: deliveryPlanSchema });

const planBody = z.strictObject({
  group_ids: groupIds.min(1),
  messages_per_group: z.number().int().min(1).max(100).default(1),
  kind: z.enum(['scheduled', 'broadcast']).default('broadcast'),
  overflow: overflow.optional(),
});

const listCursor = z.tuple([z.number().int().nonnegative(), z.string().max(64)]);

type Body = z.infer<typeof scheduleBody> | z.infer<typeof schedulePatch> | z.infer<typeof broadcastBody>;

/** API fields → service input; only fields present in the request are set. */
function toInput(body: Body): Partial<ScheduleInput> {
  const input: Partial<ScheduleInput> = {};
  if (body.name !== undefined) input.name = body.name;
  if (body.template_id !== undefined) input.templateId = body.template_id;
  if (body.text !== undefined) input.text = body.text;
  if (body.parse_mode !== undefined) input.parseMode = body.parse_mode === 'HTML' ? 'HTML' : null;
  if (body.group_ids !== undefined) input.groupIds = body.group_ids;
  if ('run_at' in body && body.run_at !== undefined) input.runAt = body.run_at === null ? null : new Date(body.run_at);
  if ('cron' in body && body.cron !== undefined) input.cron = body.cron;
  if ('time_zone' in body && body.time_zone !== undefined) input.timeZone = body.time_zone;
  if (body.overflow !== undefined) input.overflow = body.overflow;
  return input;
}

/** Schedules as the API shows them: each with how its latest run went (null before it first runs). */
async function withOutcomes(tx: TenantTx, schedules: Schedule[]): Promise<ScheduleWithOutcome[]> {
  const outcomes = await findRunOutcomes(tx, schedules.map((s) => s.id));
  return schedules.map((s) => ({ ...s, outcome: outcomes.get(s.id) ?? null }));
}

/**
 * Quota, schedules, broadcasts and the delivery planner. Read routes are open to viewers;
 * everything that sends or changes a schedule needs an admin.
 */
export function deliveryRoutes(api: Api, services: Services): void {
  const inTenant = <T>(tenantId: string, fn: (tx: TenantTx) => Promise<T>) => services.db.withTenant(tenantId, fn);
  /** Quota notifications a request caused are sent after it commits, without holding up the answer. */
  const mailNotices = (tenantId: string) => sendNoticesInBackground(services, tenantId);

  api.get('/api/usage', {
    schema: { summary: "Today's message quota: used, left, limit, when it resets (tenant's zone) and a forecast at today's pace", tags: ['delivery'], response: { 200: z.object({ usage: usageSchema }) } },
  }, async (request) => ({ usage: await inTenant(request.principal!.tenantId, (tx) => getUsage(tx)) }));

  api.get('/api/schedules', {
    schema: {
      summary: 'Schedules and broadcasts, newest first, with cursor pagination',
      tags: ['delivery'],
      querystring: z.strictObject({ ...pageQuery, status: status.optional() }),
      response: { 200: pageOf(scheduleWithOutcomeSchema) },
    },
  }, async (request) => {
    const { cursor, limit } = request.query;
    const after = cursor ? decodeCursor(cursor, listCursor) : undefined;
    const { rows, items } = await inTenant(request.principal!.tenantId, async (tx) => {
      const rows = await listSchedules(tx, {
        status: request.query.status, limit: limit + 1, ...(after ? { before: { createdAt: new Date(after[0]), id: after[1] } } : {}),
      });
      return { rows, items: await withOutcomes(tx, rows.slice(0, limit)) };
    });
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last ? encodeCursor([last.createdAt.getTime(), last.id]) : null };
  });

  api.post('/api/schedules', {
    schema: {
      summary: 'Schedule a template or text to groups: once (run_at) or recurring (cron, five fields, in time_zone)',
      tags: ['delivery'],
      body: scheduleBody,
      headers: idempotencyKeyHeaders,
      response: { 201: oneSchedule },
    },
    config: { auth: 'admin', example: { name: 'Morning post', text: 'Good morning!', run_at: '2099-01-01T09:00:00Z' } },
  }, async (request, reply) => {
    const { memberId } = request.principal!;
    return idempotentPost(services.db, request, reply, async (tx) => {
      const { schedule } = await createSchedule(tx, { groupIds: [], ...toInput(request.body), name: request.body.name }, { memberId });
      return { status: 201, body: { schedule } };
    });
  });

  api.get('/api/schedules/:id', {
    schema: { summary: 'One schedule with its most recent runs', tags: ['delivery'], params: scheduleId, response: { 200: z.object({ schedule: scheduleWithOutcomeSchema, runs: z.array(scheduleRunSchema) }) } },
    config: { resource: 'schedule' },
  }, async (request) => inTenant(request.principal!.tenantId, async (tx) => ({
    schedule: (await withOutcomes(tx, [await getSchedule(tx, request.params.id)]))[0]!,
    runs: await listScheduleRuns(tx, request.params.id),
  })));

  api.patch('/api/schedules/:id', {
    schema: { summary: 'Change an active or paused schedule: what, where or when', tags: ['delivery'], params: scheduleId, body: schedulePatch, response: { 200: oneSchedule } },
    config: { auth: 'admin', resource: 'schedule', example: { name: 'Renamed schedule' } },
  }, async (request) => {
    const { tenantId, memberId } = request.principal!;
    return { schedule: await inTenant(tenantId, (tx) => updateSchedule(tx, request.params.id, toInput(request.body), { memberId })) };
  });

  api.delete('/api/schedules/:id', {
    schema: { summary: 'Delete a schedule; its unsent messages are cancelled first', tags: ['delivery'], params: scheduleId, response: { 204: noContent } },
    config: { auth: 'admin', resource: 'schedule' },
  }, async (request, reply) => {
    const { tenantId, memberId } = request.principal!;
    await inTenant(tenantId, (tx) => deleteSchedule(tx, request.params.id, { memberId }));
    return reply.status(204).send();
  });

  for (const [verb, change, summary] of [
    ['pause', pauseSchedule, 'Pause: no more runs, and unsent messages are held (a broadcast stops between two messages)'],
    ['resume', resumeSchedule, 'Resume a paused schedule: held messages go, runs continue from the next occurrence'],
    ['cancel', cancelSchedule, 'Cancel for good: no more runs; unsent messages are cancelled and their quota returned'],
  ] as const) {
    api.post(`/api/schedules/:id/${verb}`, {
      schema: { summary, tags: ['delivery'], params: scheduleId, response: { 200: oneSchedule } },
      config: { auth: 'admin', resource: 'schedule' },
    }, async (request) => {
      const { tenantId, memberId } = request.principal!;
      return { schedule: await inTenant(tenantId, (tx) => change(tx, request.params.id, { memberId })) };
    });
  }

  api.get('/api/schedules/:id/plan', {
    schema: { summary: "While sending: each unsent message's ETA, what is done, and what waits for a later day's quota", tags: ['delivery'], params: scheduleId, response: { 200: onePlan } },
    config: { resource: 'schedule' },
  }, async (request) => ({
    plan: await inTenant(request.principal!.tenantId, async (tx) => {
      await getSchedule(tx, request.params.id);
      return planDelivery(tx, { scheduleId: request.params.id });
    }),
  }));

  api.post('/api/broadcasts', {
    schema: {
      summary: 'Compose and send now to the chosen groups; answers with what was accepted and the delivery plan',
      tags: ['delivery'],
      body: broadcastBody,
      headers: idempotencyKeyHeaders,
      response: { 201: broadcastAnswer, 200: broadcastAnswer.describe('The broadcast this idempotency_key already made') },
    },
    config: { auth: 'admin', example: { text: 'Hello everyone', group_ids: ['00000000-0000-4000-8000-000000000000'] } },
  }, async (request, reply) => {
    const { tenantId, memberId } = request.principal!;
    const now = new Date();
    return idempotentPost(services.db, request, reply, async (tx) => {
      const input = { groupIds: [], ...toInput(request.body), name: request.body.name ?? `Broadcast ${now.toISOString()}`, runAt: now };
      const { schedule, created } = await createSchedule(tx, input, { memberId, kind: 'broadcast', idempotencyKey: request.body.idempotency_key, now });
      const run = created ? await runScheduleNow(tx, schedule.id, now) : null;
      const body = { schedule: (await withOutcomes(tx, [await getSchedule(tx, schedule.id)]))[0]!, run, plan: await planDelivery(tx, { scheduleId: schedule.id, now }) };
      return { status: created ? 201 : 200, body };
    }, async () => {
      mailNotices(tenantId);
      await signalSession(services.cache, tenantId);
    });
  });

  api.post('/api/delivery/plan', {
    schema: {
      summary: "Before sending: when each message to these groups would go, given the limits, the queue and today's quota",
      tags: ['delivery'],
      body: planBody,
      response: { 200: onePlan },
    },
    config: { example: { group_ids: ['00000000-0000-4000-8000-000000000000'] } },
  }, async (request) => ({
    plan: await inTenant(request.principal!.tenantId, async (tx) => {
      const targets = await groupTargets(tx, request.body.group_ids);
      assertPlannable(targets.length * request.body.messages_per_group);
      const messages: PlannedMessage[] = [];
      for (let n = 0; n < request.body.messages_per_group; n++) {
        for (const t of targets) messages.push({ botId: t.botId, chatId: t.chatId, groupId: t.groupId });
      }
      return planDelivery(tx, { messages, kind: request.body.kind, overflow: request.body.overflow });
    }),
  }));
}
