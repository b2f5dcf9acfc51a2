import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Writable } from 'node:stream';
import type { Database, TenantTx } from '../platform/db/index.js';
import type { SecretBox } from '../platform/crypto.js';
import { notFound } from '../platform/errors.js';
import {
  ArchiveFormat, ArchiveKeyCheck, ArchiveVersion, ManifestName, archiveSealingContext, excludedTables,
  instanceSealingContext, isCredentialColumn, isSealedColumn, tableFileName, type ArchiveManifest, type ArchiveTable,
} from './archive-format.js';
import { quoteIdent, readTenantCatalog, type CatalogTable } from './catalog.js';
import { NdjsonWriter } from './ndjson.js';
import { writeTarball } from './tarball.js';

/**
 * What happens to credentials (see {@link isCredentialColumn}):
 * - `omitted`: the tenant's own download. Credential columns are exported as null.
 * - `sealed`: an operator moving a tenant between instances. Sealed values are opened with
 *   this instance's key and sealed again under `archiveKey`, which only the operator holds.
 */
export type ExportSecrets =
  | { mode: 'omitted' }
  | { mode: 'sealed'; instance: SecretBox; archive: SecretBox };

/** Rows fetched per round trip: bounded memory whatever the table's size. */
const FetchSize = 2000;

/** A tenant archive staged on disk, ready to be written out (once) and then disposed of. */
export interface StagedArchive {
  manifest: ArchiveManifest;
  /** Writes the gzip-compressed tarball into `destination` and ends it. */
  writeTo(destination: Writable): Promise<void>;
  /** Removes the staged files; call it whether or not `writeTo` ran or succeeded. */
  dispose(): Promise<void>;
}

/**
 * Reads one tenant's complete data into a staged archive. Every row is read in one
 * transaction scoped to the tenant, so RLS — not this code — guarantees that no other
 * tenant's row can reach the archive. Tables are staged as files because the manifest
 * (counts, checksums) leads the archive; a caller that streams the archive (the HTTP
 * download) therefore only starts answering once every row has been read, and an unknown
 * tenant is still a clean 404.
 */
export async function stageTenantArchive(db: Database, tenantId: string, secrets: ExportSecrets): Promise<StagedArchive> {
  const staging = await mkdtemp(path.join(tmpdir(), 'kovan-export-'));
  const dispose = () => rm(staging, { recursive: true, force: true });
  try {
    await mkdir(path.join(staging, 'tables'));
    // One point in time for every table, however busy the tenant is while it is exported.
    const manifest = await db.withTenant(tenantId, (tx) => stageTables(tx, staging, secrets), { snapshot: true });
    await writeFile(path.join(staging, ManifestName), JSON.stringify(manifest, null, 2) + '\n');
    const entries = [
      { name: ManifestName, file: path.join(staging, ManifestName) },
      ...manifest.tables.map((t) => ({ name: t.file, file: path.join(staging, t.file) })),
    ];
    return { manifest, writeTo: (destination) => writeTarball(destination, entries), dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/** Stages the tenant's archive, writes it into `destination`, cleans up; returns the manifest. */
export async function exportTenant(db: Database, tenantId: string, destination: Writable, secrets: ExportSecrets): Promise<ArchiveManifest> {
  const staged = await stageTenantArchive(db, tenantId, secrets);
  try {
    await staged.writeTo(destination);
    return staged.manifest;
  } finally {
    await staged.dispose();
  }
}

async function stageTables(tx: TenantTx, staging: string, secrets: ExportSecrets): Promise<ArchiveManifest> {
  // Timestamps are written in UTC whatever the session's zone, so archives compare byte for byte.
  await tx.query(`SET LOCAL TimeZone = 'UTC'`);
  const { rows: [tenant] } = await tx.query<{ name: string }>('SELECT name FROM tenants');
  if (!tenant) throw notFound('tenant');
  const catalog = await readTenantCatalog(tx);
  const included = [catalog.tenants, ...catalog.tables.filter((t) => !Object.hasOwn(excludedTables, t.name))];
  const entries = new Map<string, ArchiveTable>();
  // Children before parents: with the snapshot this order no longer matters for consistency,
  // but it keeps every foreign key resolvable even for a caller without one.
  for (const table of [...included].reverse()) {
    entries.set(table.name, await stageTable(tx, table, staging, secrets));
  }
  return {
    format: ArchiveFormat,
    version: ArchiveVersion,
    createdAt: new Date().toISOString(),
    source: { tenantId: tx.tenantId, tenantName: tenant.name },
    secrets: secrets.mode,
    ...(secrets.mode === 'sealed' ? { keyCheck: secrets.archive.seal(ArchiveKeyCheck, ArchiveKeyCheck) } : {}),
    tables: included.map((t) => entries.get(t.name)!),
    excluded: Object.entries(excludedTables).map(([name, reason]) => ({ name, reason })),
  };
}

async function stageTable(tx: TenantTx, table: CatalogTable, staging: string, secrets: ExportSecrets): Promise<ArchiveTable> {
  const file = tableFileName(table.name);
  const writer = new NdjsonWriter(path.join(staging, file));
  const sealed = secrets.mode === 'sealed' ? table.columns.filter((c) => isSealedColumn(c.name)).map((c) => c.name) : [];
  const cursor = quoteIdent(`export_${table.name}`);
  try {
    await tx.query(`DECLARE ${cursor} NO SCROLL CURSOR FOR
      SELECT row_to_json(x)::text AS line FROM (SELECT ${projection(table, secrets)} FROM ${quoteIdent(table.name)}
      ${table.primaryKey.length > 0 ? `ORDER BY ${table.primaryKey.map(quoteIdent).join(', ')}` : ''}) x`);
    for (;;) {
      const { rows } = await tx.query<{ line: string }>(`FETCH ${FetchSize} FROM ${cursor}`);
      for (const { line } of rows) {
        await writer.write(sealed.length > 0 && secrets.mode === 'sealed' ? reseal(line, table.name, sealed, tx.tenantId, secrets) : line);
      }
      if (rows.length < FetchSize) break;
    }
    await tx.query(`CLOSE ${cursor}`);
  } catch (error) {
    await writer.close().catch(() => {});
    throw error;
  }
  const sha256 = await writer.close();
  return {
    name: table.name,
    file,
    rows: writer.rows,
    sha256,
    columns: table.columns.map((c) => ({ name: c.name, type: c.type })),
    primaryKey: table.primaryKey,
  };
}

/**
 * The SELECT list: 64-bit integers and numerics become JSON strings (a JSON number beyond
 * 2^53 loses digits in most readers); credentials are nulled when omitted.
 */
function projection(table: CatalogTable, secrets: ExportSecrets): string {
  return table.columns.map((c) => {
    const name = quoteIdent(c.name);
    if (secrets.mode === 'omitted' && isCredentialColumn(c.name)) return `NULL AS ${name}`;
    if (/^(bigint|numeric)/.test(c.type)) return `${name}::${c.type.endsWith('[]') ? 'text[]' : 'text'} AS ${name}`;
    return name;
  }).join(', ');
}

function reseal(line: string, table: string, columns: string[], tenantId: string, secrets: Extract<ExportSecrets, { mode: 'sealed' }>): string {
  const row = JSON.parse(line) as Record<string, unknown>;
  for (const column of columns) {
    const value = row[column];
    if (typeof value !== 'string' || value === '') continue; // empty: nothing sealed (a disconnected bot)
    let plain: string;
    try {
      plain = secrets.instance.open(value, instanceSealingContext(tenantId));
    } catch {
      throw new Error(`cannot open ${table}.${column} of this tenant with this instance's KOVAN_SECRET_KEY; was the key changed?`);
    }
    row[column] = secrets.archive.seal(plain, archiveSealingContext(table, column));
  }
  return JSON.stringify(row);
}
