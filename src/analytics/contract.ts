/** The shapes of the daily counters and the statistics as the API returns them: a contract module (docs/ARCHITECTURE.md, Layout). */
import { z } from 'zod';
import { botSchema } from '../bots/contract.js';
import { usageSchema } from '../delivery/contract.js';
import { recentActivitySchema } from '../messaging/contract.js';

/** The daily counters as the API shows them (camelCase of stats_daily's columns). */
export const countersSchema = z.object({
  messagesIn: z.number().int(),
  messagesOut: z.number().int(),
  newUsers: z.number().int(),
  activeUsers: z.number().int(),
  joins: z.number().int(),
  leaves: z.number().int(),
  joinRequests: z.number().int(),
  deliveriesFailed: z.number().int(),
}).meta({ id: 'Counters' });
export type Counters = z.output<typeof countersSchema>;

export const dailyCountersSchema = countersSchema.extend({ day: z.string() }).meta({ id: 'DailyCounters' });
export type DailyCounters = z.output<typeof dailyCountersSchema>;

export const groupCountersSchema = countersSchema.extend({ chatId: z.number().int(), groupId: z.string().nullable(), title: z.string().nullable() }).meta({ id: 'GroupCounters' });
export type GroupCounters = z.output<typeof groupCountersSchema>;

/** What the plan shows: `summary` (Basic: totals only), `basic` (Advanced: daily series), `advanced` (Premium: breakdowns, exports). */
export const analyticsTiers = ['summary', 'basic', 'advanced'] as const;
export type AnalyticsTier = (typeof analyticsTiers)[number];

const range = z.object({ start: z.string(), end: z.string(), days: z.number().int() });

/** `GET /api/dashboard/stats`. */
export const dashboardStatsSchema = z.object({
  analytics: z.enum(analyticsTiers),
  timeZone: z.string(),
  range,
  /** Sums over the range; `activeUsers` is active user-days. */
  totals: countersSchema,
  today: dailyCountersSchema,
  /** One entry per day of the range (Advanced and up); null on Basic. */
  series: z.array(dailyCountersSchema).nullable(),
  /** Per group over the range, busiest first (Premium, `breakdown=group`); null otherwise. */
  groups: z.array(groupCountersSchema).nullable(),
  bots: z.array(botSchema.pick({ id: true, username: true, status: true, statusReason: true, lastUpdateAt: true, lastSendAt: true })),
  /** Today's quota (used / left, forecast), from the delivery context. */
  quota: usageSchema.pick({ day: true, limit: true, used: true, remaining: true, resetsAt: true, queued: true, forecast: true }),
  recentActivity: z.array(recentActivitySchema),
}).meta({ id: 'DashboardStats' });
export type DashboardStats = z.output<typeof dashboardStatsSchema>;

export const userDaySchema = z.object({ day: z.string(), newUsers: z.number().int(), activeUsers: z.number().int() });
export type UserDay = z.output<typeof userDaySchema>;

/**
 * Of the people first seen in a week, how many were seen again at least 1, 7 and 30 days
 * after their first sighting (rolling retention). Null where the cohort is too young to know.
 */
export const retentionCohortSchema = z.object({
  week: z.string(),
  users: z.number().int(),
  returnedAfter1Day: z.number().int().nullable(),
  returnedAfter7Days: z.number().int().nullable(),
  returnedAfter30Days: z.number().int().nullable(),
});
export type RetentionCohort = z.output<typeof retentionCohortSchema>;

export const audienceSizeSchema = z.object({
  /** Everyone the bots have seen. */
  total: z.number().int(),
  /** People who started the bot privately and did not block it: private messages reach them. */
  reachable: z.number().int(),
  blocked: z.number().int(),
});
export type AudienceSize = z.output<typeof audienceSizeSchema>;

/** `GET /api/users/stats`. */
export const userStatsSchema = z.object({
  analytics: z.enum(analyticsTiers),
  timeZone: z.string(),
  range,
  audience: audienceSizeSchema,
  today: userDaySchema,
  /** New and active people per day (Advanced and up). */
  series: z.array(userDaySchema).nullable(),
  /** The busiest groups of the range (Premium). */
  topGroups: z.array(groupCountersSchema).nullable(),
  /** Weekly cohorts of the range (Premium). */
  retention: z.array(retentionCohortSchema).nullable(),
}).meta({ id: 'UserStats' });
export type UserStats = z.output<typeof userStatsSchema>;
