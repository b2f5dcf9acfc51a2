/**
 * The shapes of schedules and of the day's quota as the API returns them (their `Date`
 * fields arrive as ISO strings: `Serialized`): a contract module (docs/ARCHITECTURE.md, Layout).
 */

/** What to do with messages over the day's quota: refuse them, or charge them to the following days. */
export type QuotaOverflow = 'reject' | 'next_day';

export type ScheduleStatus = 'active' | 'paused' | 'completed' | 'cancelled';

/**
 * A post of a template (or composed text) to chosen groups: once at `runAt`, or on every
 * occurrence of `cron` in `timeZone`. A broadcast is a one-off schedule that runs when
 * created. `completed`: nothing left to run (its last messages may still be sending).
 */
export interface Schedule {
  id: string;
  name: string;
  kind: 'scheduled' | 'broadcast';
  templateId: string | null;
  text: string | null;
  parseMode: 'HTML' | null;
  groupIds: string[];
  runAt: Date | null;
  cron: string | null;
  /** The cron's zone; null: the tenant's `time_zone`. */
  timeZone: string | null;
  overflow: QuotaOverflow;
  status: ScheduleStatus;
  nextRunAt: Date | null;
  lastRunAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Today's quota as the tenant sees it (`GET /api/usage`). */
export interface Usage {
  day: string;
  timeZone: string;
  limit: number;
  used: number;
  remaining: number;
  /** When the next day's quota starts, in the tenant's zone. */
  resetsAt: Date;
  /** Accepted today and not sent yet. */
  queued: number;
  /** Quota already booked on later days by broadcasts that overflowed. */
  booked: Array<{ day: string; used: number }>;
  /** At today's pace so far: where the day ends, and when the quota runs out (null: not today). */
  forecast: { projectedUsed: number; exhaustsAt: Date | null };
  groups: { used: number; limit: number | null };
}

/**
 * How a run (a broadcast, a schedule's latest occurrence) ended so far, as the tenant sees it:
 * `sending` while messages wait; then `sent` (every message went), `partly_failed` (some did
 * not), `failed` (none did, or the run itself failed), `cancelled` (stopped before any went),
 * `skipped` (a missed run the policy passed over), `expired` (the sent rows are older than the
 * outbox keeps, so only the run's counts remain).
 */
export type OutcomeState = 'sending' | 'sent' | 'partly_failed' | 'failed' | 'cancelled' | 'skipped' | 'expired';

/** A message of the run that did not go out, and why (Telegram's answer, or the reason it was refused). */
export interface OutcomeProblem {
  groupId: string | null;
  groupTitle: string | null;
  status: 'failed' | 'refused';
  reason: string;
}

/** The latest run of a schedule, message by message: what went, what did not and why. */
export interface RunOutcome {
  runAt: Date;
  state: OutcomeState;
  sent: number;
  failed: number;
  /** Refused when the run queued them (quota, paused group, …): never sent. */
  refused: number;
  /** Queued, being sent, or held by a pause. */
  pending: number;
  cancelled: number;
  /** Finished longer ago than the outbox keeps rows (7 days): counted by the run, detail gone. */
  expired: number;
  /** The messages that did not go out (the first 50), with their reasons; a run that failed as a whole names its reason here too. */
  problems: OutcomeProblem[];
}
