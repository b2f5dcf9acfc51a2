import type { Database } from '../platform/db/index.js';
import { AppError } from '../platform/errors.js';

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
