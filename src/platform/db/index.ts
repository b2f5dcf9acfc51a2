import path from 'node:path';
import { mkdirSync } from 'node:fs';
import type { Config } from '../../config.js';
import { PgliteDatabase } from './pglite.js';
import { PostgresDatabase } from './postgres.js';
import type { Database } from './types.js';

export type { Database, TenantTx, UnscopedTx, OwnerTx, Queryable, QueryResult, ProcessLock } from './types.js';
export { AppRole } from './types.js';
export { migrate } from './migrate.js';
export { PgliteDatabase } from './pglite.js';
export { PostgresDatabase, appUrlFor } from './postgres.js';

/** Opens the configured database: real PostgreSQL when DATABASE_URL is set, PGlite in DATA_DIR otherwise. */
export async function openDatabase(config: Pick<Config, 'DATABASE_URL' | 'DATABASE_APP_URL' | 'DATABASE_POOL_SIZE' | 'DATA_DIR'>): Promise<Database> {
  if (config.DATABASE_URL) {
    return new PostgresDatabase({ ownerUrl: config.DATABASE_URL, appUrl: config.DATABASE_APP_URL, poolSize: config.DATABASE_POOL_SIZE });
  }
  const dir = path.resolve(config.DATA_DIR, 'pglite');
  mkdirSync(dir, { recursive: true });
  return PgliteDatabase.open(dir);
}
