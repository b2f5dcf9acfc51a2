/** The shapes of plans and of a tenant's limits as the API returns them: a contract module (docs/ARCHITECTURE.md, Layout). */

export const planCodes = ['basic', 'advanced', 'premium', 'enterprise'] as const;
export type PlanCode = (typeof planCodes)[number];

/** A feature a plan may include; routes gate on these, not on plan names. */
export type Feature =
  | 'basic_templates' | 'custom_templates' | 'advanced_templates' | 'auto_reply'
  | 'basic_analytics' | 'advanced_analytics' | 'reports' | 'api_access'
  | 'dedicated_isolation' | 'custom_limits';

export interface Plan {
  code: PlanCode;
  name: string;
  priceCents: number | null;
  currency: string;
  maxGroups: number | null;
  messagesPerDay: number | null;
  features: Feature[];
  sessionWeight: number;
  rank: number;
}

/** The limits in force for one tenant: its plan's, or its own where Enterprise sets them. */
export interface TenantPlan {
  plan: Plan;
  status: 'trialing' | 'active' | 'past_due' | 'suspended' | 'cancelled';
  trialEndsAt: string | null;
  currentPeriodEnd: string | null;
  maxGroups: number | null;
  messagesPerDay: number;
}
