import path from 'node:path';
import pg from 'pg';
import { PgliteDatabase, PostgresDatabase, migrate, type Database } from '../src/platform/db/index.js';
import type { DatabaseLocation } from '../src/portability/backup-format.js';

/** A migrated database of its own for one benchmark run, and where it lives. */
export interface BenchDatabase {
  kind: 'pglite' | 'postgres';
  db: Database;
  location: DatabaseLocation;
  close(): Promise<void>;
}

/**
 * PGlite in `work/pglite`, or — when DATABASE_URL is set — a fresh PostgreSQL database on
 * that server, dropped again on close, so a benchmark never touches real data.
 */
export async function openBenchDatabase(work: string): Promise<BenchDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const dataDir = path.join(work, 'pglite');
    const db = await PgliteDatabase.open(dataDir);
    await migrate(db);
    return { kind: 'pglite', db, location: { kind: 'pglite', dataDir }, close: () => db.close() };
  }
  const scratch = await createDatabase(serverUrl);
  const db = new PostgresDatabase({ ownerUrl: scratch.url, poolSize: 2 });
  await migrate(db);
  return {
    kind: 'postgres', db, location: { kind: 'postgres', ownerUrl: scratch.url },
    async close() {
      await db.close();
      await scratch.drop();
    },
  };
}

/** An empty PostgreSQL database beside the one `serverUrl` names; `drop` removes it (FORCE). */
export async function createDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `kovan_bench_${process.pid}_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}
