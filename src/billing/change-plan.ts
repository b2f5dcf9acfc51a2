import type { TenantTx } from '../platform/db/index.js';
import { enforceGroupLimit } from '../groups/index.js';
import { setSubscriptionPlan, type PlanCode } from '../tenancy/index.js';

/**
 * Moves a tenant to another plan, effective at once: the subscription changes and the
 * group limit is re-applied in the same transaction (groups beyond a lower limit pause,
 * paused groups resume under a higher one).
 */
export async function changePlan(tx: TenantTx, planCode: PlanCode, options: { memberId?: string; customLimits?: { maxGroups?: number; messagesPerDay?: number } } = {}): Promise<void> {
  await setSubscriptionPlan(tx, planCode, options);
  await enforceGroupLimit(tx);
}
