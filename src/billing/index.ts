/** Billing: plan changes (payments come with the billing issue). */
export { changePlan } from './change-plan.js';
