import type { TenantTx } from '../platform/db/index.js';
import { AppError } from '../platform/errors.js';
import { cheapestPlanWith, getTenantPlan, type Feature } from './plans.js';

/**
 * Throws a 403 `plan_required` naming the cheapest plan with `feature` when the tenant's
 * plan lacks it. Checked on every use, so a plan change takes effect at once.
 */
export async function requireFeature(tx: TenantTx, feature: Feature, what: string): Promise<void> {
  const { plan } = await getTenantPlan(tx);
  if (plan.features.includes(feature)) return;
  const requiredPlan = await cheapestPlanWith(tx, feature);
  throw new AppError('plan_required', `${what} needs the ${requiredPlan ?? 'a higher'} plan; you are on ${plan.name}`, { requiredPlan, feature });
}

export async function hasFeature(tx: TenantTx, feature: Feature): Promise<boolean> {
  return (await getTenantPlan(tx)).plan.features.includes(feature);
}
