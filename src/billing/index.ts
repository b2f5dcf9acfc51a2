/**
 * Billing: plan changes and payments. No payment provider is wired yet: downgrades apply at
 * once; upgrades are requests an operator confirms once paid (docs/BILLING.md).
 */
export { changePlan, type CustomLimits } from './change-plan.js';
export { listPayments, type Payment, type PaymentStatus } from './payments.js';
export { requestPlanChange, cancelPlanRequest, applyOperatorPlan, rejectPlanRequest, type PlanChangeResult, type OperatorPlanDecision } from './plan-requests.js';
export { billingRoutes } from './routes.js';
