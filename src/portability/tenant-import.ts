import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import type { Database, TenantTx } from '../platform/db/index.js';
import type { SecretBox } from '../platform/crypto.js';
import { AppError } from '../platform/errors.js';
import { recordAudit } from '../tenancy/index.js';
import {
  ArchiveFormat, ArchiveKeyCheck, ArchiveVersion, ManifestName, archiveEntryName, archiveManifestSchema,
  archiveSealingContext, instanceSealingContext, isCredentialColumn, isSealedColumn, type ArchiveManifest, type ArchiveTable,
} from './archive-format.js';
import { quoteIdent, readTenantCatalog, type CatalogTable, type TenantCatalog } from './catalog.js';
import { describeFile, readLines } from './ndjson.js';
import { extractTarball } from './tarball.js';

export interface ImportTenantOptions {
  /** Seals the imported secrets: this instance's key. */
  instance: SecretBox;
  /** Opens the archive's secrets; required when the archive was exported with sealed secrets. */
  archiveKey?: SecretBox;
  /** Name of the new tenant; default: the archive's. */
  name?: string;
  /** Refuse archives that unpack to more than this many bytes. Default 20 GiB. */
  maxBytes?: number;
}

export interface TenantImportReport {
  tenantId: string;
  sourceTenantId: string;
  tables: Array<{ name: string; rows: number; imported: number; skipped: Record<string, number> }>;
}

const DefaultMaxBytes = 20 * 1024 ** 3;
const BatchRows = 1000;
type Row = Record<string, unknown>;

/**
 * Imports a tenant archive as a NEW tenant of this instance, in one transaction scoped to
 * that tenant (all or nothing; RLS admits only the new tenant's rows). The archive is
 * verified (format, version, every file's SHA-256 and row count) before anything is
 * written. Ids are remapped (see docs/PORTABILITY.md): every UUID gets a new one,
 * consistently across tables; identity columns take values from this instance's sequences;
 * sealed secrets are opened with the archive key and sealed again under this instance's key.
 */
export async function importTenant(db: Database, archive: Readable, options: ImportTenantOptions): Promise<TenantImportReport> {
  const staging = await mkdtemp(path.join(tmpdir(), 'kovan-import-'));
  try {
    const manifest = await readVerifiedArchive(archive, staging, options.maxBytes ?? DefaultMaxBytes);
    const archiveKey = checkArchiveKey(manifest, options.archiveKey);
    const tenantId = randomUUID();
    const tables = await db.withTenant(tenantId, async (tx) => {
      const catalog = await readTenantCatalog(tx);
      const targets = matchCatalog(manifest, catalog);
      const ids = new Remapper(manifest.source.tenantId, tenantId, catalog);
      const skipped = new SkippedRows(catalog);
      const results: TenantImportReport['tables'] = [];
      for (const entry of manifest.tables) {
        const table = targets.get(entry.name)!;
        const context: RowContext = { entry, ids, skipped, archiveKey, instance: options.instance, name: options.name, tenantId };
        results.push(await insertTable(tx, table, entry, path.join(staging, entry.file), (row) => prepareRow(row, table, context), ids));
      }
      await recordAudit(tx, {
        action: 'tenant.imported', entity: 'tenant', entityId: tenantId,
        after: { sourceTenantId: manifest.source.tenantId, archiveCreatedAt: manifest.createdAt, secrets: manifest.secrets },
      });
      return results;
    });
    return { tenantId, sourceTenantId: manifest.source.tenantId, tables };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Unpacks, parses and checks the archive; every failure names what is wrong with it. */
async function readVerifiedArchive(archive: Readable, staging: string, maxBytes: number): Promise<ArchiveManifest> {
  const names = await extractTarball(archive, staging, { allowedName: archiveEntryName, maxTotalBytes: maxBytes })
    .catch((error: Error) => { throw invalidArchive(error.message); });
  if (names[0] !== ManifestName) throw invalidArchive(`${ManifestName} must be the first entry`);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path.join(staging, ManifestName), 'utf8'));
  } catch {
    throw invalidArchive(`${ManifestName} is not valid JSON`);
  }
  const head = z.object({ format: z.string(), version: z.number() }).safeParse(raw);
  if (!head.success || head.data.format !== ArchiveFormat) throw invalidArchive('this is not a Kovan tenant archive');
  if (head.data.version !== ArchiveVersion) {
    throw invalidArchive(`archive version ${head.data.version} is not supported; this Kovan reads version ${ArchiveVersion}`);
  }
  const parsed = archiveManifestSchema.safeParse(raw);
  if (!parsed.success) {
    throw invalidArchive(`${ManifestName} is malformed: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const manifest = parsed.data;
  if (manifest.tables[0]?.name !== 'tenants' || manifest.tables[0].rows !== 1) throw invalidArchive('the first table must be "tenants", with one row');
  const listed = new Set([ManifestName, ...manifest.tables.map((t) => t.file)]);
  for (const name of names) if (!listed.has(name)) throw invalidArchive(`${name} is not listed in the manifest`);
  for (const table of manifest.tables) {
    if (!names.includes(table.file)) throw invalidArchive(`${table.file} is missing`);
    const actual = await describeFile(path.join(staging, table.file));
    if (actual.sha256 !== table.sha256) throw invalidArchive(`${table.file} does not match its checksum in the manifest`);
    if (actual.lines !== table.rows) throw invalidArchive(`${table.file} has ${actual.lines} rows, the manifest says ${table.rows}`);
  }
  return manifest;
}

function invalidArchive(message: string): AppError {
  return new AppError('validation_failed', `Invalid tenant archive: ${message}`);
}

function checkArchiveKey(manifest: ArchiveManifest, key: SecretBox | undefined): SecretBox | undefined {
  if (manifest.secrets === 'omitted') return undefined;
  if (!key) throw new AppError('validation_failed', 'This archive carries sealed secrets: give the archive key printed at export (--archive-key-file)');
  try {
    if (key.open(manifest.keyCheck ?? '', ArchiveKeyCheck) === ArchiveKeyCheck) return key;
  } catch { /* reported below */ }
  throw new AppError('validation_failed', 'The archive key does not open this archive');
}

/** Every archived table and column must exist here; an older instance must migrate first. */
function matchCatalog(manifest: ArchiveManifest, catalog: TenantCatalog): Map<string, CatalogTable> {
  const here = new Map([catalog.tenants, ...catalog.tables].map((t) => [t.name, t]));
  const problems: string[] = [];
  for (const entry of manifest.tables) {
    const table = here.get(entry.name);
    if (!table) {
      problems.push(`table ${entry.name} does not exist here`);
      continue;
    }
    const columns = new Set(table.columns.map((c) => c.name));
    for (const column of entry.columns) if (!columns.has(column.name)) problems.push(`column ${entry.name}.${column.name} does not exist here`);
  }
  if (problems.length > 0) {
    throw new AppError('validation_failed', `The archive comes from a newer Kovan schema (${problems.join('; ')}): run \`kovan migrate\` on this instance or upgrade it`);
  }
  return here;
}

/**
 * Old ids to new ones. UUIDs are unique across a database, so one map serves every table
 * and every uuid / uuid[] column, references included: a row's id and every reference to
 * it get the same new value. Identity columns get fresh sequence values; an old value is
 * remembered only where a foreign key refers to that column.
 */
class Remapper {
  readonly #uuids = new Map<string, string>();
  readonly #identities = new Map<string, Map<string, string>>();
  /** `table.column` of foreign-key columns → `table.column` of the identity they refer to. */
  readonly #identityReferences = new Map<string, string>();

  constructor(sourceTenantId: string, tenantId: string, catalog: TenantCatalog) {
    this.#uuids.set(sourceTenantId, tenantId);
    const identityColumns = new Set(catalog.tables.flatMap((t) => t.columns.filter((c) => c.identity).map((c) => `${t.name}.${c.name}`)));
    for (const table of catalog.tables) {
      for (const ref of table.references) {
        ref.referencedColumns.forEach((column, i) => {
          const target = `${ref.table}.${column}`;
          if (identityColumns.has(target)) {
            this.#identityReferences.set(`${table.name}.${ref.columns[i]}`, target);
            this.#identities.set(target, new Map());
          }
        });
      }
    }
  }

  uuid(value: string): string {
    let mapped = this.#uuids.get(value);
    if (!mapped) this.#uuids.set(value, (mapped = randomUUID()));
    return mapped;
  }

  /** Records `old → new` for an identity column that something refers to. */
  identity(table: string, column: string, oldValue: string, newValue: string): void {
    this.#identities.get(`${table}.${column}`)?.set(oldValue, newValue);
  }

  /** The new value for a foreign-key column that refers to an identity, or undefined if it does not. */
  reference(table: string, column: string, value: string): string | undefined {
    const target = this.#identityReferences.get(`${table}.${column}`);
    return target ? this.#identities.get(target)!.get(value) ?? value : undefined;
  }
}

/**
 * Rows left out of the import, remembered by the keys other tables refer to them with, so
 * that their children are left out too (with a reason) instead of failing on the foreign key.
 */
class SkippedRows {
  readonly #keys = new Map<string, Set<string>>();
  /** Per parent table, the column lists foreign keys point at. */
  readonly #referenced = new Map<string, string[][]>();

  constructor(catalog: TenantCatalog) {
    for (const ref of catalog.tables.flatMap((t) => t.references)) {
      this.#referenced.set(ref.table, [...(this.#referenced.get(ref.table) ?? []), ref.referencedColumns]);
    }
  }

  add(table: string, row: Row): void {
    for (const columns of this.#referenced.get(table) ?? []) {
      const id = `${table}(${columns.join()})`;
      if (!this.#keys.has(id)) this.#keys.set(id, new Set());
      this.#keys.get(id)!.add(JSON.stringify(columns.map((c) => row[c])));
    }
  }

  /** Why `row` must be left out because a row it refers to was, if it must. */
  parentSkipped(table: CatalogTable, row: Row): string | undefined {
    for (const ref of table.references) {
      if (this.#keys.get(`${ref.table}(${ref.referencedColumns.join()})`)?.has(JSON.stringify(ref.columns.map((c) => row[c])))) {
        return `the ${ref.table} row it belongs to was skipped`;
      }
    }
    return undefined;
  }
}

interface RowContext {
  entry: ArchiveTable;
  ids: Remapper;
  skipped: SkippedRows;
  archiveKey?: SecretBox;
  instance: SecretBox;
  name?: string;
  tenantId: string;
}

/** Rewrites one archived row for this instance, or returns the reason it cannot be imported. */
function prepareRow(row: Row, table: CatalogTable, context: RowContext): Row | string {
  const archived = new Set(context.entry.columns.map((c) => c.name));
  let omitted: string | undefined;
  for (const column of table.columns) {
    const value = row[column.name];
    if (column.generated) {
      delete row[column.name];
    } else if (value === null || value === undefined) {
      if (column.notNull && archived.has(column.name) && isCredentialColumn(column.name)) omitted ??= column.name;
    } else if (column.type === 'uuid' && typeof value === 'string') {
      row[column.name] = context.ids.uuid(value);
    } else if (column.type === 'uuid[]' && Array.isArray(value)) {
      row[column.name] = value.map((v) => (typeof v === 'string' ? context.ids.uuid(v) : v));
    } else if (isSealedColumn(column.name) && typeof value === 'string') {
      // An empty value seals nothing (a disconnected bot keeps none): it stays empty.
      if (value !== '') row[column.name] = context.instance.seal(context.archiveKey!.open(value, archiveSealingContext(table.name, column.name)), instanceSealingContext(context.tenantId));
    } else {
      const mapped = context.ids.reference(table.name, column.name, String(value));
      if (mapped !== undefined) row[column.name] = mapped;
    }
  }
  if (table.name === 'tenants') {
    // An archive never makes its tenant an operator, and worker pools are per instance.
    Object.assign(row, { is_operator: false, worker_pool: 'shared', ...(context.name ? { name: context.name } : {}) });
  }
  const reason = omitted ? `${omitted} was not in the archive (secrets omitted): reconnect it after the import` : context.skipped.parentSkipped(table, row);
  if (reason) context.skipped.add(table.name, row);
  return reason ?? row;
}

async function insertTable(
  tx: TenantTx, table: CatalogTable, entry: ArchiveTable, file: string,
  transform: (row: Row) => Row | string, ids: Remapper,
): Promise<TenantImportReport['tables'][number]> {
  const skipped: Record<string, number> = {};
  const identity = table.columns.filter((c) => c.identity).map((c) => c.name);
  const archived = new Set(entry.columns.map((c) => c.name));
  const columns = table.columns.filter((c) => !c.generated && archived.has(c.name)).map((c) => c.name);
  const insert = `INSERT INTO ${quoteIdent(table.name)} (${columns.map(quoteIdent).join(', ')}) OVERRIDING SYSTEM VALUE
    SELECT ${columns.map(quoteIdent).join(', ')} FROM json_populate_recordset(NULL::${quoteIdent(table.name)}, $1::json)`;
  let imported = 0;
  let batch: Row[] = [];

  const flush = async () => {
    if (batch.length === 0) return;
    for (const column of identity) {
      const fresh = await allocate(tx, table.name, column, batch.length);
      batch.forEach((row, i) => {
        if (row[column] !== null && row[column] !== undefined) ids.identity(table.name, column, String(row[column]), fresh[i]!);
        row[column] = fresh[i];
      });
    }
    try {
      await tx.query(insert, [JSON.stringify(batch)]);
    } catch (error) {
      throw conflictError(table.name, error);
    }
    imported += batch.length;
    batch = [];
  };

  for await (const line of readLines(file)) {
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      throw new AppError('validation_failed', `Invalid tenant archive: a line of ${entry.file} is not JSON`);
    }
    if (typeof row !== 'object' || row === null || Array.isArray(row)) throw new AppError('validation_failed', `Invalid tenant archive: a line of ${entry.file} is not an object`);
    const prepared = transform(row as Row);
    if (typeof prepared === 'string') {
      skipped[prepared] = (skipped[prepared] ?? 0) + 1;
      continue;
    }
    batch.push(prepared);
    if (batch.length >= BatchRows) await flush();
  }
  await flush();
  // The new tenant started empty, so the table now holds exactly what this import wrote.
  const { rows: [stored] } = await tx.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${quoteIdent(table.name)}`);
  if (Number(stored?.n) !== imported) throw new Error(`${table.name}: wrote ${imported} rows but the table holds ${stored?.n}`);
  return { name: table.name, rows: entry.rows, imported, skipped };
}

/** New values from the column's own sequence, so later rows of this instance never collide. */
async function allocate(tx: TenantTx, table: string, column: string, count: number): Promise<string[]> {
  const { rows } = await tx.query<{ v: string }>(
    `SELECT nextval(pg_get_serial_sequence($1, $2))::text AS v FROM generate_series(1, $3)`, [quoteIdent(table), column, count]);
  return rows.map((r) => r.v);
}

/** A unique violation means the data already exists in this instance (same login, same bot): say which. */
function conflictError(table: string, error: unknown): unknown {
  const e = error as { code?: string; message?: string; detail?: string };
  const cause = [e.message, e.detail].filter(Boolean).join(': ');
  if (e.code === '23505') return new AppError('conflict', `Cannot import ${table}: it conflicts with data already in this instance (${cause})`);
  if (e.code === '23503') return new AppError('validation_failed', `Cannot import ${table}: a row it refers to is missing (${cause})`);
  return error;
}
