import type { TenantTx } from '../platform/db/index.js';
import type { Tenant } from './contract.js';

export type { Tenant } from './contract.js';

/**
 * Creates the tenant the transaction is scoped to, with a Basic subscription in trial.
 * The id comes from the transaction, so RLS's WITH CHECK admits exactly this row.
 */
export async function createTenant(tx: TenantTx, input: { name: string; trialDays: number; isOperator?: boolean }): Promise<void> {
  await tx.query(`INSERT INTO tenants (id, name, is_operator) VALUES ($1, $2, $3)`, [tx.tenantId, input.name, input.isOperator ?? false]);
  await tx.query(
    `INSERT INTO subscriptions (tenant_id, plan_code, status, trial_ends_at, current_period_end)
     VALUES ($1, 'basic', $2, now() + $3 * interval '1 day', now() + $3 * interval '1 day')`,
    [tx.tenantId, input.trialDays > 0 ? 'trialing' : 'active', input.trialDays > 0 ? input.trialDays : 30],
  );
}

export async function getTenant(tx: TenantTx): Promise<Tenant> {
  const { rows } = await tx.query<Tenant>(
    `SELECT id, name, status, is_operator AS "isOperator", worker_pool AS "workerPool", created_at AS "createdAt" FROM tenants`);
  if (!rows[0]) throw new Error(`tenant ${tx.tenantId} is missing`);
  return rows[0];
}
