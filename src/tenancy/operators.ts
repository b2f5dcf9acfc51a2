import type { Database, TenantTx } from '../platform/db/index.js';
import { AppError, notFound } from '../platform/errors.js';

/**
 * Makes the tenant of `username` an operator tenant: its admins see the fleet and manage
 * tenants. An operator's power, so only the schema owner's connection can grant it (the
 * CLI, run by whoever runs migrations), never an API call.
 */
export async function grantOperator(db: Database, username: string): Promise<{ tenantId: string }> {
  return db.withOwner(async (tx) => {
    const { rows } = await tx.query<{ tenant_id: string }>(
      `UPDATE tenants SET is_operator = true WHERE id = (SELECT tenant_id FROM members WHERE username = lower($1)) RETURNING id AS tenant_id`, [username]);
    if (!rows[0]) throw new AppError('not_found', `No member with username "${username}"`);
    return { tenantId: rows[0].tenant_id };
  });
}

/** Is the tenant in scope an operator tenant? (Its admins run the operator area.) */
export async function isOperatorTenant(tx: TenantTx): Promise<boolean> {
  return (await tx.query<{ is_operator: boolean }>('SELECT is_operator FROM tenants')).rows[0]?.is_operator === true;
}

/** 403 unless the tenant in scope is an operator tenant; `what` finishes "Only operators …". */
export async function requireOperator(tx: TenantTx, what: string): Promise<void> {
  if (!(await isOperatorTenant(tx))) throw new AppError('forbidden', `Only operators ${what}`);
}

/**
 * May the tenant in scope act on tenant `targetId`? Operators reach every tenant; anyone
 * else only their own, and other ids look absent (404), so no tenant's existence leaks.
 * `operatorOnly` names an action only operators may take, even on their own tenant (403).
 */
export async function reachTenant(tx: TenantTx, targetId: string, options: { operatorOnly?: string } = {}): Promise<{ operator: boolean }> {
  const operator = await isOperatorTenant(tx);
  if (!operator && targetId !== tx.tenantId) throw notFound('Tenant');
  if (!operator && options.operatorOnly) throw new AppError('forbidden', `Only operators ${options.operatorOnly}`);
  return { operator };
}
