/**
 * The shapes of plans, tenants and a tenant's limits as the API returns them: a contract
 * module (docs/ARCHITECTURE.md, Layout).
 */
import { z } from 'zod';
import { instant } from '../platform/contract.js';

export const planCodes = ['basic', 'advanced', 'premium', 'enterprise'] as const;
export type PlanCode = (typeof planCodes)[number];

/** A feature a plan may include; routes gate on these, not on plan names. */
export const features = [
  'basic_templates', 'custom_templates', 'advanced_templates', 'auto_reply',
  'basic_analytics', 'advanced_analytics', 'reports', 'api_access',
  'dedicated_isolation', 'custom_limits',
] as const;
export type Feature = (typeof features)[number];

export const planSchema = z.object({
  code: z.enum(planCodes),
  name: z.string(),
  priceCents: z.number().int().nullable(),
  currency: z.string(),
  maxGroups: z.number().int().nullable(),
  messagesPerDay: z.number().int().nullable(),
  features: z.array(z.enum(features)),
  sessionWeight: z.number(),
  rank: z.number().int(),
}).meta({ id: 'Plan' });
export type Plan = z.output<typeof planSchema>;

export const subscriptionStatuses = ['trialing', 'active', 'past_due', 'suspended', 'cancelled'] as const;
export type SubscriptionStatus = (typeof subscriptionStatuses)[number];

/** The limits in force for one tenant: its plan's, or its own where Enterprise sets them. */
export const tenantPlanSchema = z.object({
  plan: planSchema,
  status: z.enum(subscriptionStatuses),
  trialEndsAt: instant.nullable(),
  currentPeriodEnd: instant.nullable(),
  maxGroups: z.number().int().nullable(),
  messagesPerDay: z.number().int(),
}).meta({ id: 'TenantPlan' });
export type TenantPlan = z.output<typeof tenantPlanSchema>;

export const tenantSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  status: z.enum(['active', 'suspended', 'deleted']),
  isOperator: z.boolean(),
  /** The worker pool its sessions run on: `shared`, or a dedicated one. */
  workerPool: z.string(),
  createdAt: instant,
}).meta({ id: 'Tenant' });
export type Tenant = z.output<typeof tenantSchema>;

/** Every configuration key with its value; each key's own schema is in `GET /api/config`'s description. */
export const configValuesSchema = z.record(z.string(), z.unknown());

/** One audit log entry: who changed what, with the values before and after. */
export const auditRecordSchema = z.object({
  id: z.number().int(),
  at: instant,
  action: z.string(),
  entity: z.string(),
  entityId: z.string().nullable(),
  memberId: z.string().nullable(),
  /** The member's username, while the member exists. */
  memberUsername: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
}).meta({ id: 'AuditRecord' });
export type AuditRecord = z.output<typeof auditRecordSchema>;
