import { localDay } from '../delivery/index.js';
import type { TenantTx } from '../platform/db/index.js';
import { notFound } from '../platform/errors.js';
import type { Payment } from '../billing/index.js';
import { configKeys, requireOperator, type PlanCode, type Tenant, type TenantPlan } from '../tenancy/index.js';
import type { AdminTenant } from './contract.js';

export type { AdminTenant } from './contract.js';

interface OverviewRow {
  id: string; name: string; status: Tenant['status']; is_operator: boolean; worker_pool: string; plan_code: PlanCode | null; subscription_status: TenantPlan['status'] | null;
  custom_max_groups: number | null; custom_messages_per_day: number | null; groups: number; time_zone: string | null;
  usage_by_day: Record<string, number> | null; created_at: Date; pending_payment: Payment | null;
}

/**
 * Every tenant (newest first, filtered by a part of the name), read through the
 * `admin_tenant_overview` door, which answers only inside an operator tenant's scope.
 * `tx` is the operator's own tenant transaction.
 */
export async function listAdminTenants(tx: TenantTx, options: { query?: string; tenantId?: string; limit: number }, now = new Date()): Promise<AdminTenant[]> {
  await requireOperator(tx, 'see every tenant');
  const { rows } = await tx.query<OverviewRow>(`SELECT * FROM admin_tenant_overview($1, $2, $3)`, [options.query || null, options.tenantId ?? null, options.limit]);
  return rows.map((row) => ({
    id: row.id, name: row.name, status: row.status, isOperator: row.is_operator, workerPool: row.worker_pool,
    planCode: row.plan_code, subscriptionStatus: row.subscription_status,
    customLimits: { maxGroups: row.custom_max_groups, messagesPerDay: row.custom_messages_per_day },
    groups: row.groups,
    messagesToday: row.usage_by_day?.[localDay(now, row.time_zone ?? configKeys.time_zone.default)] ?? 0,
    createdAt: new Date(row.created_at).toISOString(),
    pendingPayment: row.pending_payment,
  }));
}

export async function getAdminTenant(tx: TenantTx, tenantId: string): Promise<AdminTenant> {
  const [tenant] = await listAdminTenants(tx, { tenantId, limit: 1 });
  if (!tenant) throw notFound('Tenant');
  return tenant;
}
