import type { Queryable } from '../platform/db/index.js';

/** One column of a tenant table, as the archive and the importer need to know it. */
export interface CatalogColumn {
  name: string;
  /** `format_type` spelling: `uuid`, `uuid[]`, `bigint`, `timestamp with time zone`, … */
  type: string;
  notNull: boolean;
  /** `GENERATED … AS IDENTITY`: the target allocates its own values on import. */
  identity: boolean;
  /** `GENERATED ALWAYS AS (…) STORED`: never written, recomputed by the database. */
  generated: boolean;
}

/** A foreign key between two tenant tables, column for column. */
export interface CatalogReference {
  columns: string[];
  table: string;
  referencedColumns: string[];
}

export interface CatalogTable {
  name: string;
  columns: CatalogColumn[];
  primaryKey: string[];
  references: CatalogReference[];
}

/**
 * The tenant tables of this database, read from the system catalog rather than listed by
 * hand, so export, import and deletion cover a table the day a migration adds it.
 * A tenant table is any ordinary or partitioned table in `public` with a `tenant_id`
 * column (partitions are reached through their parent); `tenants` itself comes first.
 * The rest are in foreign-key order: a table comes after every table it references.
 */
export interface TenantCatalog {
  tenants: CatalogTable;
  tables: CatalogTable[];
}

interface ColumnRow {
  table_name: string;
  column_name: string;
  type: string;
  not_null: boolean;
  identity: boolean;
  generated: boolean;
  primary_key: boolean;
}

interface ReferenceRow {
  table_name: string;
  columns: string[];
  referenced_table: string;
  referenced_columns: string[];
}

/** Reads the catalog; any role may (the system catalogs are public), so a tenant transaction can. */
export async function readTenantCatalog(tx: Queryable): Promise<TenantCatalog> {
  const { rows: columns } = await tx.query<ColumnRow>(
    `WITH tables AS (
       SELECT c.oid, c.relname FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND (c.relname = 'tenants' OR EXISTS (
                SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)))
     SELECT t.relname AS table_name, a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS type,
            a.attnotnull AS not_null, a.attidentity <> '' AS identity, a.attgenerated <> '' AS generated,
            coalesce(a.attnum = ANY (i.indkey), false) AS primary_key
       FROM tables t
       JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
       LEFT JOIN pg_index i ON i.indrelid = t.oid AND i.indisprimary
      ORDER BY t.relname, a.attnum`);
  const { rows: references } = await tx.query<ReferenceRow>(
    `SELECT child.relname AS table_name, parent.relname AS referenced_table,
            array(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, o)
                    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.o) AS columns,
            array(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, o)
                    JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.o) AS referenced_columns
       FROM pg_constraint c
       JOIN pg_class child ON child.oid = c.conrelid
       JOIN pg_class parent ON parent.oid = c.confrelid
      WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace`);

  const byName = new Map<string, CatalogTable>();
  for (const row of columns) {
    let table = byName.get(row.table_name);
    if (!table) byName.set(row.table_name, (table = { name: row.table_name, columns: [], primaryKey: [], references: [] }));
    table.columns.push({ name: row.column_name, type: row.type, notNull: row.not_null, identity: row.identity, generated: row.generated });
    if (row.primary_key) table.primaryKey.push(row.column_name);
  }
  for (const ref of references) {
    const table = byName.get(ref.table_name);
    // References to control-plane tables (plans, tenants) are not edges between tenant tables.
    if (table && ref.referenced_table !== 'tenants' && byName.has(ref.referenced_table)) {
      table.references.push({ columns: ref.columns, table: ref.referenced_table, referencedColumns: ref.referenced_columns });
    }
  }
  const tenants = byName.get('tenants');
  if (!tenants) throw new Error('the database has no tenants table: run `kovan migrate` first');
  byName.delete('tenants');
  return { tenants, tables: foreignKeyOrder([...byName.values()]) };
}

/**
 * Parents before children (Kahn's algorithm, ties by name so the order is stable). A
 * table's reference to itself does not constrain the order; a cycle between tables would
 * make an all-or-nothing import impossible without deferred constraints, so it is refused.
 */
function foreignKeyOrder(tables: CatalogTable[]): CatalogTable[] {
  const pending = new Map(tables.map((t) => [t.name, new Set(t.references.map((r) => r.table).filter((n) => n !== t.name))]));
  const ordered: CatalogTable[] = [];
  const byName = new Map(tables.map((t) => [t.name, t]));
  while (pending.size > 0) {
    const ready = [...pending].filter(([, parents]) => parents.size === 0).map(([name]) => name).sort();
    if (ready.length === 0) throw new Error(`foreign keys form a cycle between: ${[...pending.keys()].join(', ')}`);
    for (const name of ready) {
      pending.delete(name);
      ordered.push(byName.get(name)!);
      for (const parents of pending.values()) parents.delete(name);
    }
  }
  return ordered;
}

/** Double-quotes an identifier from the catalog, so any name is safe in generated SQL. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
