/** The shapes of the operator's views (tenants, the fleet) as the API returns them: a contract module (docs/ARCHITECTURE.md, Layout). */
import { z } from 'zod';
import { paymentSchema } from '../billing/contract.js';
import { instant } from '../platform/contract.js';
import { planCodes, subscriptionStatuses, tenantSchema } from '../tenancy/contract.js';

/** One tenant as the operators' list shows it (`GET /api/admin/tenants`). */
export const adminTenantSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  status: tenantSchema.shape.status,
  isOperator: z.boolean(),
  /** The worker pool its sessions run on (`shared`, or a dedicated one). */
  workerPool: z.string(),
  /** Null when the tenant has no live subscription. */
  planCode: z.enum(planCodes).nullable(),
  subscriptionStatus: z.enum(subscriptionStatuses).nullable(),
  customLimits: z.object({ maxGroups: z.number().int().nullable(), messagesPerDay: z.number().int().nullable() }),
  /** Groups the bot is in (not removed). */
  groups: z.number().int(),
  /** Quota used today, in the tenant's own time zone (as its usage meter shows it). */
  messagesToday: z.number().int(),
  createdAt: instant,
  /** The upgrade the tenant asked for, awaiting an operator. */
  pendingPayment: paymentSchema.nullable(),
}).meta({ id: 'AdminTenant' });
export type AdminTenant = z.output<typeof adminTenantSchema>;

/** A tenant and how many rows it holds per table: what a deletion would remove (or did). */
export const tenantDataSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  status: z.string(),
  isOperator: z.boolean(),
  createdAt: instant,
  rows: z.record(z.string(), z.number().int()),
}).meta({ id: 'TenantData' });
export type TenantData = z.output<typeof tenantDataSchema>;
