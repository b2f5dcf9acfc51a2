import { PGlite } from '@electric-sql/pglite';
import type { Queryable } from '../platform/db/index.js';

/** A PGlite data directory opened for a backup or restore; see {@link openPgliteDataDir}. */
export interface PgliteDataDir {
  pg: PGlite;
  /** Runs `fn` in one transaction as PGlite's only (super)user. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Opens a PGlite data directory directly, not through `PgliteDatabase`: backup and restore
 * need PGlite's own `dumpDataDir` / `loadDataDir`, and must not run migrations on what they
 * copy. `load` initialises an empty directory from a `dumpDataDir` tarball. PGlite has no
 * cross-process lock: the caller makes sure no Kovan process has the directory open.
 */
export async function openPgliteDataDir(dataDir: string, options: { load?: Blob } = {}): Promise<PgliteDataDir> {
  const pg = new PGlite({ dataDir, ...(options.load ? { loadDataDir: options.load } : {}) });
  try {
    await pg.waitReady;
  } catch (error) {
    await pg.close().catch(() => {});
    throw error;
  }
  const tx: Queryable = {
    async query<R>(sql: string, params?: readonly unknown[]) {
      const r = await pg.query<R>(sql, params as unknown[] | undefined);
      return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
    },
  };
  return {
    pg,
    async transaction(fn) {
      await pg.query('BEGIN');
      try {
        const result = await fn(tx);
        await pg.query('COMMIT');
        return result;
      } catch (error) {
        await pg.query('ROLLBACK').catch(() => {});
        throw error;
      }
    },
    close: () => pg.close(),
  };
}
