/** Tenancy: tenants, their plans and subscriptions, typed configuration, and the audit log. */
export { createTenant, getTenant, type Tenant } from './tenants.js';
export { listPlans, getTenantPlan, cheapestPlanWith, planCodes, type Plan, type PlanCode, type Feature, type TenantPlan } from './plans.js';
export { getConfig, listConfigs, updateConfig, primeConfig, storedConfigsSubquery } from './configs.js';
export { configKeys, isConfigKey, clock, type ConfigKey, type ConfigValue } from './config-keys.js';
export { recordAudit, type AuditEntry } from './audit.js';
export { requireFeature, hasFeature } from './feature-gate.js';
export { setSubscriptionPlan } from './subscriptions.js';
export { grantOperator, isOperatorTenant, requireOperator, reachTenant } from './operators.js';
