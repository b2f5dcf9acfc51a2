import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { PostgresDatabase, type Queryable } from '../platform/db/index.js';
import { AppError } from '../platform/errors.js';
import { BackupArtifact, BackupManifestName, sha256File, type BackupManifest, type DatabaseLocation } from './backup-format.js';
import { databaseChecksums } from './database-checksums.js';
import { openPgliteDataDir } from './pglite-datadir.js';
import { runPgTool } from './pg-tools.js';

/**
 * Backs up the whole database into `directory` (created; must not hold anything yet).
 *
 * - PostgreSQL: `pg_dump --format=custom` inside a REPEATABLE READ transaction whose
 *   snapshot it shares (`--snapshot`), so the dump and the manifest's checksums describe the
 *   very same state while the application keeps writing.
 * - PGlite: PGlite's own `dumpDataDir` tarball, taken after the checksums in the same
 *   process. It is consistent because nothing else can use the directory meanwhile (PGlite
 *   serves one process), and `loadDataDir` is its documented inverse — unlike a raw copy of
 *   the files, it needs no knowledge of PGlite's on-disk layout.
 */
export async function backupDatabase(location: DatabaseLocation, directory: string): Promise<BackupManifest> {
  await prepareEmptyDirectory(directory);
  const artifact = path.join(directory, BackupArtifact[location.kind]);
  const { tables, migrations } = location.kind === 'postgres'
    ? await dumpPostgres(location.ownerUrl, artifact)
    : await dumpPglite(location.dataDir, artifact);
  const manifest: BackupManifest = {
    format: 'kovan-backup',
    version: 1,
    createdAt: new Date().toISOString(),
    database: location.kind,
    migrations,
    artifact: { file: path.basename(artifact), bytes: (await stat(artifact)).size, sha256: await sha256File(artifact) },
    tables,
  };
  await writeFile(path.join(directory, BackupManifestName), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

async function prepareEmptyDirectory(directory: string): Promise<void> {
  if (existsSync(directory) && (await readdir(directory)).length > 0) {
    throw new AppError('conflict', `${directory} already exists and is not empty; choose a new backup directory`);
  }
  await mkdir(directory, { recursive: true });
}

async function dumpPostgres(ownerUrl: string, artifact: string) {
  const db = new PostgresDatabase({ ownerUrl, poolSize: 1 });
  try {
    return await db.withOwner(async (tx) => {
      await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      const { rows: [snapshot] } = await tx.query<{ id: string }>('SELECT pg_export_snapshot() AS id');
      const state = { tables: await databaseChecksums(tx), migrations: await appliedMigrations(tx) };
      await runPgTool('pg_dump', ownerUrl, ['--format=custom', `--snapshot=${snapshot!.id}`, `--file=${artifact}`]);
      return state;
    });
  } finally {
    await db.close();
  }
}

async function dumpPglite(dataDir: string, artifact: string) {
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    throw new AppError('not_found', `no embedded database at ${dataDir} (DATA_DIR/pglite); nothing to back up`);
  }
  const pglite = await openPgliteDataDir(dataDir);
  try {
    const state = await pglite.transaction(async (tx) => ({ tables: await databaseChecksums(tx), migrations: await appliedMigrations(tx) }));
    const tarball = await pglite.pg.dumpDataDir('gzip');
    await writeFile(artifact, Buffer.from(await tarball.arrayBuffer()), { flag: 'wx' });
    return state;
  } finally {
    await pglite.close();
  }
}

async function appliedMigrations(tx: Queryable): Promise<string[]> {
  const { rows: [exists] } = await tx.query<{ found: boolean }>(`SELECT to_regclass('public.schema_migrations') IS NOT NULL AS found`);
  if (!exists?.found) return [];
  return (await tx.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name')).rows.map((r) => r.name);
}
