import { existsSync } from 'node:fs';
import { readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { PostgresDatabase } from '../platform/db/index.js';
import { AppError } from '../platform/errors.js';
import { BackupManifestName, backupManifestSchema, sha256File, type BackupManifest, type DatabaseLocation } from './backup-format.js';
import { compareChecksums, databaseChecksums, type TableChecksum } from './database-checksums.js';
import { openPgliteDataDir } from './pglite-datadir.js';
import { runPgTool } from './pg-tools.js';

export interface RestoreOptions {
  /**
   * PGlite only: replace an existing data directory. The old one is kept beside it as
   * `pglite.before-restore-<time>` until the operator removes it. PostgreSQL restores only
   * into an empty database (create a fresh one and point DATABASE_URL at it).
   */
  replace?: boolean;
}

export interface RestoreReport {
  manifest: BackupManifest;
  /** Every table's count and checksum after the restore. */
  tables: Record<string, TableChecksum>;
  /** Tables that differ from the manifest; empty when the restore is proven complete. */
  mismatches: ReturnType<typeof compareChecksums>;
  /** PGlite with `replace`: where the previous data directory was moved. */
  previousDataDir?: string;
}

/**
 * Restores a backup made by `backupDatabase`. Before touching anything it checks the
 * manifest and the artifact's SHA-256; afterwards it recomputes every table's count and
 * checksum and reports any difference from the manifest.
 *
 * PostgreSQL: `pg_restore --single-transaction --exit-on-error` into an empty database, so
 * a failure leaves it empty. PGlite: the tarball is loaded into a fresh directory beside the
 * target and verified there; only a verified copy is moved into place.
 */
export async function restoreDatabase(location: DatabaseLocation, directory: string, options: RestoreOptions = {}): Promise<RestoreReport> {
  const manifest = await readBackupManifest(directory);
  const artifact = path.join(directory, manifest.artifact.file);
  if (path.basename(manifest.artifact.file) !== manifest.artifact.file || !existsSync(artifact)) {
    throw new AppError('validation_failed', `the backup's artifact ${manifest.artifact.file} is missing from ${directory}`);
  }
  if ((await sha256File(artifact)) !== manifest.artifact.sha256) {
    throw new AppError('validation_failed', `${artifact} does not match the checksum in its manifest: the backup is damaged; nothing was restored`);
  }
  if (manifest.database !== location.kind) {
    throw new AppError('validation_failed', manifest.database === 'postgres'
      ? 'this backup was taken from PostgreSQL: set DATABASE_URL to an empty PostgreSQL database to restore it'
      : 'this backup was taken from the embedded database (PGlite): unset DATABASE_URL to restore it into DATA_DIR');
  }
  return location.kind === 'postgres'
    ? restorePostgres(location.ownerUrl, artifact, manifest)
    : restorePglite(location.dataDir, artifact, manifest, options);
}

export async function readBackupManifest(directory: string): Promise<BackupManifest> {
  const file = path.join(directory, BackupManifestName);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new AppError('validation_failed', `${file} is missing or not JSON (${(error as Error).message}); is ${directory} a Kovan backup?`);
  }
  const parsed = backupManifestSchema.safeParse(raw);
  if (!parsed.success) {
    throw new AppError('validation_failed', `${file} is not a Kovan backup manifest: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

async function restorePostgres(ownerUrl: string, artifact: string, manifest: BackupManifest): Promise<RestoreReport> {
  const db = new PostgresDatabase({ ownerUrl, poolSize: 1 });
  try {
    await db.withOwner(async (tx) => {
      const { rows: [found] } = await tx.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p', 'v', 'm', 'S')`);
      if (Number(found?.n) > 0) {
        throw new AppError('conflict', 'the target database is not empty: create an empty database (createdb), point DATABASE_URL at it, and restore there');
      }
      // The dump grants rights to the application role; roles live in the cluster, not the
      // dump, so a new cluster needs it first (as migration 0001 would create it).
      await tx.exec(`DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'kovan_app') THEN
          CREATE ROLE kovan_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
        END IF; END $$`);
    });
    await runPgTool('pg_restore', ownerUrl, ['--single-transaction', '--exit-on-error', '--no-owner', artifact]);
    const tables = await db.withOwner((tx) => databaseChecksums(tx));
    return { manifest, tables, mismatches: compareChecksums(manifest.tables, tables) };
  } finally {
    await db.close();
  }
}

async function restorePglite(dataDir: string, artifact: string, manifest: BackupManifest, options: RestoreOptions): Promise<RestoreReport> {
  const occupied = existsSync(dataDir) && (await readdir(dataDir)).length > 0;
  if (occupied && !options.replace) {
    throw new AppError('conflict', `${dataDir} already holds a database: stop Kovan and pass --replace (the current one is kept beside it), or restore with another DATA_DIR`);
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const staging = `${dataDir}.restoring-${stamp}`;
  try {
    const pglite = await openPgliteDataDir(staging, { load: new Blob([await readFile(artifact)]) });
    let tables: Record<string, TableChecksum>;
    try {
      tables = await pglite.transaction((tx) => databaseChecksums(tx));
    } finally {
      await pglite.close();
    }
    const mismatches = compareChecksums(manifest.tables, tables);
    if (mismatches.length > 0) {
      throw new AppError('internal', `the restored copy differs from the backup's manifest in ${mismatches.map((m) => m.name).join(', ')}; ${dataDir} was left untouched`);
    }
    const previousDataDir = occupied ? `${dataDir}.before-restore-${stamp}` : undefined;
    if (previousDataDir) await rename(dataDir, previousDataDir);
    else await rm(dataDir, { recursive: true, force: true });
    await rename(staging, dataDir);
    return { manifest, tables, mismatches, previousDataDir };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
