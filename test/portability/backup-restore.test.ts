import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PgliteDatabase, PostgresDatabase, migrate, type Database } from '../../src/platform/db/index.js';
import { SecretBox } from '../../src/platform/crypto.js';
import { backupDatabase } from '../../src/portability/backup.js';
import { restoreDatabase } from '../../src/portability/restore.js';
import { databaseChecksums } from '../../src/portability/database-checksums.js';
import { BackupArtifact } from '../../src/portability/backup-format.js';
import { realPostgres } from '../helpers/env.js';
import { createScratchPostgres, seedTenant } from './helpers.js';

/**
 * The restore drill: back up, destroy, restore, and compare every table's row count and
 * checksum with the state before the backup. On PostgreSQL the restore goes into another
 * fresh database that the test creates and drops.
 */
const secrets = new SecretBox(Buffer.alloc(32, 3));

test('restore drill: the restored database equals the backed-up one, table by table', { skip: !realPostgres && 'PostgreSQL run only' }, async () => {
  const source = new PostgresDatabase({ ownerUrl: process.env.DATABASE_URL!, poolSize: 2 });
  const target = await createScratchPostgres();
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'kovan-backup-')), 'b');
  try {
    await migrate(source);
    await seedTenant(source, secrets);
    const manifest = await backupDatabase({ kind: 'postgres', ownerUrl: process.env.DATABASE_URL! }, dir);
    assert.ok(manifest.tables.tg_users!.rows >= 3);
    const report = await restoreDatabase({ kind: 'postgres', ownerUrl: target.url }, dir);
    assert.deepEqual(report.mismatches, []);
    assert.deepEqual(report.tables, manifest.tables);
    // The restored copy works as Kovan: RLS still isolates, the app role still reads.
    const restored = new PostgresDatabase({ ownerUrl: target.url, poolSize: 1 });
    try {
      const visible = await restored.withTenant(crypto.randomUUID(), async (tx) => (await tx.query('SELECT * FROM tg_users')).rows.length);
      assert.equal(visible, 0);
      assert.deepEqual((await migrate(restored)).applied, []);
    } finally {
      await restored.close();
    }
    await assert.rejects(restoreDatabase({ kind: 'postgres', ownerUrl: target.url }, dir), /not empty/);
  } finally {
    await source.close();
    await target.close();
    await rm(path.dirname(dir), { recursive: true, force: true });
  }
});

test('restore drill on the embedded database: back up, delete the data directory, restore, compare', async () => {
  const dataDir = path.join(mkdtempSync(path.join(tmpdir(), 'kovan-pglite-')), 'pglite');
  const dir = path.join(path.dirname(dataDir), 'backup');
  const location = { kind: 'pglite' as const, dataDir };
  try {
    let before: Awaited<ReturnType<typeof databaseChecksums>>;
    const db: Database = await PgliteDatabase.open(dataDir);
    try {
      await migrate(db);
      await seedTenant(db, secrets);
      before = await db.withOwner((tx) => databaseChecksums(tx));
    } finally {
      await db.close();
    }
    const manifest = await backupDatabase(location, dir);
    assert.deepEqual(manifest.tables, before);
    assert.ok(manifest.migrations.includes('0001_foundation.sql'));

    await rm(dataDir, { recursive: true });
    const report = await restoreDatabase(location, dir);
    assert.deepEqual(report.mismatches, []);
    const reopened = await PgliteDatabase.open(dataDir);
    try {
      assert.deepEqual(await reopened.withOwner((tx) => databaseChecksums(tx)), before);
    } finally {
      await reopened.close();
    }

    await assert.rejects(restoreDatabase(location, dir), /already holds a database/);
    const replaced = await restoreDatabase(location, dir, { replace: true });
    assert.ok(replaced.previousDataDir && existsSync(replaced.previousDataDir), 'the replaced directory is kept');

    // A damaged artifact is refused before anything is touched.
    const artifact = path.join(dir, BackupArtifact.pglite);
    const bytes = readFileSync(artifact);
    bytes[bytes.length >> 1]! ^= 0xff;
    writeFileSync(artifact, bytes);
    await assert.rejects(restoreDatabase(location, dir, { replace: true }), /damaged/);
    await assert.rejects(backupDatabase(location, dir), /not empty/);
  } finally {
    await rm(path.dirname(dataDir), { recursive: true, force: true });
  }
});
