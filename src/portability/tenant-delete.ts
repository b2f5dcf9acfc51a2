import type { Database, TenantTx } from '../platform/db/index.js';
import { notFound } from '../platform/errors.js';
import { quoteIdent, readTenantCatalog } from './catalog.js';
import type { TenantData } from '../operator/contract.js';

export type { TenantData } from '../operator/contract.js';

/** The tenant and its row counts; 404 when it does not exist. */
export async function describeTenantData(db: Database, tenantId: string): Promise<TenantData> {
  return db.withTenant(tenantId, async (tx) => {
    const tenant = await findTenantRow(tx);
    const catalog = await readTenantCatalog(tx);
    const rows: Record<string, number> = {};
    for (const table of catalog.tables) rows[table.name] = await countRows(tx, table.name);
    return { ...tenant, rows };
  });
}

/**
 * Deletes every row of the tenant — every tenant table from the catalog, children first,
 * then the tenant itself — in one transaction scoped to that tenant, so RLS confines the
 * DELETEs to its rows even if this code were wrong. Checks that nothing is left before
 * committing. Returns what was deleted, per table.
 */
export async function deleteTenant(db: Database, tenantId: string): Promise<TenantData> {
  return db.withTenant(tenantId, async (tx) => {
    const tenant = await findTenantRow(tx);
    const catalog = await readTenantCatalog(tx);
    const rows: Record<string, number> = {};
    const childrenFirst = [...catalog.tables].reverse();
    for (const table of childrenFirst) {
      rows[table.name] = (await tx.query(`DELETE FROM ${quoteIdent(table.name)}`)).rowCount;
    }
    await tx.query('DELETE FROM tenants');
    for (const table of [...childrenFirst, catalog.tenants]) {
      const left = await countRows(tx, table.name);
      if (left > 0) throw new Error(`deleting tenant ${tenantId}: ${left} rows left in ${table.name}`);
    }
    return { ...tenant, rows };
  });
}

async function findTenantRow(tx: TenantTx): Promise<Omit<TenantData, 'rows'>> {
  const { rows: [tenant] } = await tx.query<Omit<TenantData, 'rows'>>(
    `SELECT id, name, status, is_operator AS "isOperator", created_at AS "createdAt" FROM tenants`);
  if (!tenant) throw notFound('tenant');
  return tenant;
}

async function countRows(tx: TenantTx, table: string): Promise<number> {
  const { rows } = await tx.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${quoteIdent(table)}`);
  return Number(rows[0]?.n ?? 0);
}
