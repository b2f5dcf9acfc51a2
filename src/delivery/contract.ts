/**
 * The shapes of schedules, runs, the delivery planner and the day's quota as the API returns
 * them (their `Date` fields arrive as ISO strings: `Serialized`): a contract module
 * (docs/ARCHITECTURE.md, Layout).
 */
import { z } from 'zod';

/** What to do with messages over the day's quota: refuse them, or charge them to the following days. */
export const quotaOverflows = ['reject', 'next_day'] as const;
export type QuotaOverflow = (typeof quotaOverflows)[number];

export const scheduleStatuses = ['active', 'paused', 'completed', 'cancelled'] as const;
export type ScheduleStatus = (typeof scheduleStatuses)[number];

/**
 * A post of a template (or composed text) to chosen groups: once at `runAt`, or on every
 * occurrence of `cron` in `timeZone`. A broadcast is a one-off schedule that runs when
 * created. `completed`: nothing left to run (its last messages may still be sending).
 */
export const scheduleSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  kind: z.enum(['scheduled', 'broadcast']),
  templateId: z.string().nullable(),
  text: z.string().nullable(),
  parseMode: z.literal('HTML').nullable(),
  groupIds: z.array(z.string()),
  runAt: z.date().nullable(),
  cron: z.string().nullable(),
  /** The cron's zone; null: the tenant's `time_zone`. */
  timeZone: z.string().nullable(),
  overflow: z.enum(quotaOverflows),
  status: z.enum(scheduleStatuses),
  nextRunAt: z.date().nullable(),
  lastRunAt: z.date().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
}).meta({ id: 'Schedule' });
export type Schedule = z.output<typeof scheduleSchema>;

/** What handling one occurrence of a schedule did. */
export const scheduleRunSchema = z.object({
  /** The occurrence: with the schedule id, the run's identity. */
  runAt: z.date(),
  status: z.enum(['enqueued', 'skipped', 'failed', 'already_ran']),
  /** Accepted for the run's day / for later days (over quota) / refused (see the history for why). */
  accepted: z.number().int(),
  deferred: z.number().int(),
  rejected: z.number().int(),
  /** Why a run failed or was skipped; null (or absent) when it went as planned. */
  reason: z.string().nullish(),
}).meta({ id: 'ScheduleRun' });
export type ScheduleRun = z.output<typeof scheduleRunSchema>;

/** When one planned message is expected to go. */
export const messageEtaSchema = z.object({
  chatId: z.number().int(),
  groupId: z.string().optional(),
  deliveryId: z.string().optional(),
  /** When it is expected to go; null when it will not (refused by quota, held by a pause) or cannot be planned. */
  eta: z.date().nullable(),
  /** Tenant-local day of its quota. */
  day: z.string().nullable(),
  state: z.enum(['today', 'later_day', 'over_quota', 'paused', 'unplanned']),
  /**
   * Why an `unplanned` message has no ETA: `never` (a limit lets nothing through),
   * `beyond_horizon` (later than the planner looks ahead), `queue_too_long` (past the messages it replays).
   */
  reason: z.enum(['never', 'beyond_horizon', 'queue_too_long']).optional(),
});
export type MessageEta = z.output<typeof messageEtaSchema>;

/** The delivery planner's answer: when the messages would go, given rate limits, the queue and the quota. */
export const deliveryPlanSchema = z.object({
  timeZone: z.string(),
  messages: z.number().int(),
  /** During sending: already sent / failed. */
  sent: z.number().int().optional(),
  failed: z.number().int().optional(),
  firstAt: z.date().nullable(),
  finishesAt: z.date().nullable(),
  today: z.number().int(),
  laterDays: z.number().int(),
  overQuota: z.number().int(),
  paused: z.number().int(),
  unplanned: z.number().int(),
  quota: z.object({ day: z.string(), limit: z.number().int(), used: z.number().int(), remaining: z.number().int(), resetsAt: z.date() }),
  etas: z.array(messageEtaSchema),
  /** For people: "Finishes at 14:32 (Europe/Istanbul); 120 messages exceed today's quota and would go tomorrow." */
  summary: z.string(),
}).meta({ id: 'DeliveryPlan' });
export type DeliveryPlan = z.output<typeof deliveryPlanSchema>;

/** Today's quota as the tenant sees it (`GET /api/usage`). */
export const usageSchema = z.object({
  day: z.string(),
  timeZone: z.string(),
  limit: z.number().int(),
  used: z.number().int(),
  remaining: z.number().int(),
  /** When the next day's quota starts, in the tenant's zone. */
  resetsAt: z.date(),
  /** Accepted today and not sent yet. */
  queued: z.number().int(),
  /** Quota already booked on later days by broadcasts that overflowed. */
  booked: z.array(z.object({ day: z.string(), used: z.number().int() })),
  /** At today's pace so far: where the day ends, and when the quota runs out (null: not today). */
  forecast: z.object({ projectedUsed: z.number(), exhaustsAt: z.date().nullable() }),
  groups: z.object({ used: z.number().int(), limit: z.number().int().nullable() }),
}).meta({ id: 'Usage' });
export type Usage = z.output<typeof usageSchema>;

/**
 * How a run (a broadcast, a schedule's latest occurrence) ended so far, as the tenant sees it:
 * `sending` while messages wait; then `sent` (every message went), `partly_failed` (some did
 * not), `failed` (none did, or the run itself failed), `cancelled` (stopped before any went),
 * `skipped` (a missed run the policy passed over), `expired` (the sent rows are older than the
 * outbox keeps, so only the run's counts remain).
 */
export const outcomeStates = ['sending', 'sent', 'partly_failed', 'failed', 'cancelled', 'skipped', 'expired'] as const;
export type OutcomeState = (typeof outcomeStates)[number];

/** A message of the run that did not go out, and why (Telegram's answer, or the reason it was refused). */
export const outcomeProblemSchema = z.object({
  groupId: z.string().nullable(),
  groupTitle: z.string().nullable(),
  status: z.enum(['failed', 'refused']),
  reason: z.string(),
});
export type OutcomeProblem = z.output<typeof outcomeProblemSchema>;

/** The latest run of a schedule, message by message: what went, what did not and why. */
export const runOutcomeSchema = z.object({
  runAt: z.date(),
  state: z.enum(outcomeStates),
  sent: z.number().int(),
  failed: z.number().int(),
  /** Refused when the run queued them (quota, paused group, …): never sent. */
  refused: z.number().int(),
  /** Queued, being sent, or held by a pause. */
  pending: z.number().int(),
  cancelled: z.number().int(),
  /** Finished longer ago than the outbox keeps rows (7 days): counted by the run, detail gone. */
  expired: z.number().int(),
  /** The messages that did not go out (the first 50), with their reasons; a run that failed as a whole names its reason here too. */
  problems: z.array(outcomeProblemSchema),
}).meta({ id: 'RunOutcome' });
export type RunOutcome = z.output<typeof runOutcomeSchema>;

/** A schedule with how its latest run went (null before it first runs). */
export const scheduleWithOutcomeSchema = scheduleSchema.extend({ outcome: runOutcomeSchema.nullable() }).meta({ id: 'ScheduleWithOutcome' });
export type ScheduleWithOutcome = z.output<typeof scheduleWithOutcomeSchema>;
