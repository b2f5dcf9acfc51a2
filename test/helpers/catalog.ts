import type { Database } from '../../src/platform/db/index.js';

/** Every table in `public` that holds tenant data: it has a `tenant_id` column (or is `tenants`). */
export async function tenantTables(db: Database): Promise<string[]> {
  return db.withOwner(async (tx) => (await tx.query<{ table_name: string }>(
    `SELECT c.table_name FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.table_schema = 'public' AND c.column_name = 'tenant_id' AND t.table_type = 'BASE TABLE'
      ORDER BY 1`)).rows.map((r) => r.table_name));
}
