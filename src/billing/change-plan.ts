import type { TenantTx } from '../platform/db/index.js';
import { enforceGroupLimit } from '../groups/index.js';
import { setSubscriptionPlan, type PlanCode } from '../tenancy/index.js';

/**
 * Moves a tenant to another plan, effective at once: the subscription changes and the
 * group limit is re-applied in the same transaction (groups beyond a lower limit pause,
 * paused groups resume under a higher one). Returns how many groups are paused afterwards.
 */
export async function changePlan(tx: TenantTx, planCode: PlanCode, options: { memberId?: string; customLimits?: CustomLimits } = {}): Promise<{ pausedGroups: number }> {
  await setSubscriptionPlan(tx, planCode, options);
  return { pausedGroups: (await enforceGroupLimit(tx)).paused };
}

/** Enterprise limits set per tenant by an operator; unset fields take the plan's. */
export interface CustomLimits {
  maxGroups?: number;
  messagesPerDay?: number;
}
