import type { TenantTx } from '../platform/db/index.js';
import { AppError } from '../platform/errors.js';
import { recordAudit } from './audit.js';
import type { PlanCode } from './plans.js';

/**
 * Points the tenant's live subscription at another plan. Quotas and feature gates read the
 * live subscription on every use, so the change takes effect at once. (Billing's
 * `changePlan` also re-applies the group limit; call that one.)
 */
export async function setSubscriptionPlan(tx: TenantTx, planCode: PlanCode, options: { memberId?: string; customLimits?: { maxGroups?: number; messagesPerDay?: number } } = {}): Promise<void> {
  const { rows } = await tx.query<{ plan_code: string }>(`SELECT plan_code FROM subscriptions WHERE status <> 'cancelled'`);
  const before = rows[0]?.plan_code;
  const updated = await tx.query(
    `UPDATE subscriptions SET plan_code = $1, status = 'active', custom_max_groups = $2, custom_messages_per_day = $3,
            current_period_start = now(), current_period_end = now() + interval '30 days', trial_ends_at = NULL
      WHERE status <> 'cancelled'`,
    [planCode, options.customLimits?.maxGroups ?? null, options.customLimits?.messagesPerDay ?? null]);
  if (updated.rowCount === 0) throw new AppError('not_found', 'The tenant has no live subscription');
  await recordAudit(tx, { memberId: options.memberId, action: 'subscription.plan_changed', entity: 'subscription', before: { plan: before }, after: { plan: planCode, ...options.customLimits } });
}
