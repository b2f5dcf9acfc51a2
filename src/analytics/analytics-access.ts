import type { TenantTx } from '../platform/db/index.js';
import { dayRange, daysBetween, localDayOf, type DayRange, type RangeInput } from '../http/date-range.js';
import { AppError } from '../platform/errors.js';
import { getConfig, getTenantPlan, requireFeature, type Feature } from '../tenancy/index.js';
import type { AnalyticsTier } from './contract.js';

export type { AnalyticsTier } from './contract.js';

export interface AnalyticsAccess {
  tier: AnalyticsTier;
  /** How many days back (today included) the plan may look. */
  lookbackDays: number;
  /** Daily series are included. */
  series: boolean;
  /** Per-group breakdown, retention, top groups. */
  breakdown: boolean;
  /** CSV export. */
  export: boolean;
  timeZone: string;
  today: string;
}

/** Longest range anyone may ask for, in days. */
export const maxAnalyticsDays = 366;
const lookback: Record<AnalyticsTier, number> = { summary: 7, basic: 30, advanced: maxAnalyticsDays };

export async function analyticsAccess(tx: TenantTx): Promise<AnalyticsAccess> {
  const { plan } = await getTenantPlan(tx);
  const timeZone = await getConfig(tx, 'time_zone');
  const has = (feature: Feature) => plan.features.includes(feature);
  const tier: AnalyticsTier = has('advanced_analytics') ? 'advanced' : has('basic_analytics') ? 'basic' : 'summary';
  return {
    tier, lookbackDays: lookback[tier], series: tier !== 'summary', breakdown: tier === 'advanced', export: has('reports'),
    timeZone, today: localDayOf(new Date(), timeZone),
  };
}

/**
 * The days a stats request covers, checked against the plan: a range reaching further back
 * than the plan's look-back answers 403 `plan_required` naming the plan that reaches it;
 * malformed or inverted ranges, or more than a year, are 400s.
 */
export async function analyticsRange(tx: TenantTx, access: AnalyticsAccess, input: RangeInput): Promise<DayRange> {
  const range = dayRange(input, { timeZone: access.timeZone, defaultDays: access.lookbackDays === maxAnalyticsDays ? 30 : access.lookbackDays, maxDays: maxAnalyticsDays });
  if (range.endDay > access.today) {
    throw new AppError('validation_failed', 'end_date: must not be after today', { fields: [{ field: 'end_date', message: `must not be after today (${access.today} in ${access.timeZone})` }] });
  }
  const reach = daysBetween(range.startDay, access.today) + 1;
  // Name the plan that reaches this far back, not merely the next one up.
  if (reach > lookback.basic) await requireFeature(tx, 'advanced_analytics', `Statistics older than ${lookback.basic} days`);
  else if (reach > lookback.summary) await requireFeature(tx, 'basic_analytics', `Statistics older than ${lookback.summary} days`);
  return range;
}
