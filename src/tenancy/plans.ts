import type { Queryable, TenantTx } from '../platform/db/index.js';
import type { Feature, Plan, PlanCode, TenantPlan } from './contract.js';

export { planCodes, type Feature, type Plan, type PlanCode, type TenantPlan } from './contract.js';


/** The plan columns as {@link Plan} fields, read from the table aliased `p`. */
const planColumns = `p.code, p.name, p.price_cents AS "priceCents", p.currency, p.max_groups AS "maxGroups",
  p.messages_per_day AS "messagesPerDay", p.features, p.session_weight AS "sessionWeight", p.rank`;

export async function listPlans(tx: Queryable): Promise<Plan[]> {
  return (await tx.query<Plan>(`SELECT ${planColumns} FROM plans p WHERE public ORDER BY rank`)).rows;
}

/** Enterprise without a custom limit falls back to this many messages a day. */
const enterpriseDefaultMessagesPerDay = 10_000;

/** The tenant's live subscription and the limits it grants; throws if the tenant has none. */
export async function getTenantPlan(tx: TenantTx): Promise<TenantPlan> {
  const { rows } = await tx.query<Plan & {
    status: TenantPlan['status']; trialEndsAt: string | null; currentPeriodEnd: string | null;
    customMaxGroups: number | null; customMessagesPerDay: number | null;
  }>(
    `SELECT ${planColumns}, s.status, s.trial_ends_at AS "trialEndsAt",
            s.current_period_end AS "currentPeriodEnd", s.custom_max_groups AS "customMaxGroups",
            s.custom_messages_per_day AS "customMessagesPerDay"
       FROM subscriptions s JOIN plans p ON p.code = s.plan_code
      WHERE s.status <> 'cancelled'`,
  );
  const row = rows[0];
  if (!row) throw new Error(`tenant ${tx.tenantId} has no live subscription`);
  const { status, trialEndsAt, currentPeriodEnd, customMaxGroups, customMessagesPerDay, ...plan } = row;
  return {
    plan,
    status,
    trialEndsAt,
    currentPeriodEnd,
    maxGroups: customMaxGroups ?? plan.maxGroups,
    messagesPerDay: customMessagesPerDay ?? plan.messagesPerDay ?? enterpriseDefaultMessagesPerDay,
  };
}

/** The cheapest public plan that includes `feature`; gated routes name it in their 403. */
export async function cheapestPlanWith(tx: Queryable, feature: Feature): Promise<PlanCode | undefined> {
  const { rows } = await tx.query<{ code: PlanCode }>(
    `SELECT code FROM plans WHERE $1 = ANY(features) AND public ORDER BY rank LIMIT 1`, [feature]);
  return rows[0]?.code;
}
