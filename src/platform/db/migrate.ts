import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from './types.js';

const migrationsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../migrations');
const fileName = /^(\d{4})_[a-z0-9_]+\.sql$/;

export interface MigrationReport {
  applied: string[];
  alreadyApplied: number;
}

/**
 * Applies the numbered SQL files in `migrations/` that have not run yet, each in its own
 * transaction, in order. Forward only: a shipped migration is never edited; a change is
 * a new file. An advisory lock lets several replicas start at once without racing.
 */
export async function migrate(db: Database): Promise<MigrationReport> {
  const files = (await readdir(migrationsDir)).filter((f) => fileName.test(f)).sort();
  return db.withOwner(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(7406)');
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await tx.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((r) => r.name));
    const applied: string[] = [];
    for (const file of files) {
      if (done.has(file)) continue;
      await tx.exec(await readFile(path.join(migrationsDir, file), 'utf8'));
      await tx.query('INSERT INTO schema_migrations (name) VALUES ($1)', [file]);
      applied.push(file);
    }
    return { applied, alreadyApplied: done.size };
  });
}
