import type { Database } from '../../src/platform/db/index.js';

/**
 * Gives each tenant rows in tables that the foundation's API flows do not fill yet.
 * Each later context adds its tables here (through its real service functions where it
 * has them), so the isolation matrix keeps attacking every tenant table.
 */
export async function seedAllTenantTables(db: Database, tenantIds: string[]): Promise<void> {
  for (const tenantId of tenantIds) {
    await db.withTenant(tenantId, async () => {});
  }
}
