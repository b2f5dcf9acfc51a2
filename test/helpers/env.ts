import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';
import { PgliteDatabase, PostgresDatabase, migrate, type Database } from '../../src/platform/db/index.js';
import { openCache, type Cache } from '../../src/platform/cache/index.js';

/** True when this run uses a real PostgreSQL server (npm test created a fresh database for it). */
export const realPostgres = Boolean(process.env.DATABASE_URL);

// A test file run directly with DATABASE_URL would migrate and fill whatever database that
// names (say the server's own `postgres`): only `npm test`'s runner, which creates a fresh
// database per run and drops it after, may hand one to the tests.
if (realPostgres && process.env.KOVAN_TEST_OWNER_URL !== process.env.DATABASE_URL) {
  throw new Error('Run tests through `npm test` (scripts/test.ts): it creates a fresh database for DATABASE_URL and drops it afterwards');
}
export const realRedis = Boolean(process.env.REDIS_URL);

/** A configuration for tests: fixed secret key, quiet logs, a private data directory. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'kovan-test-'));
  return loadConfig({
    NODE_ENV: 'test',
    KOVAN_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    PASSWORD_HASH_CONCURRENCY: '2',
    // Tests drive one tenant through hundreds of writes in seconds; the budget's own tests
    // (test/http/tenant-fairness.test.ts, hostile-load.test.ts) set the production value.
    TENANT_WRITE_LIMIT: '1000000',
    ...pick(process.env, ['DATABASE_URL', 'REDIS_URL', 'REDIS_PREFIX']),
    ...overrides,
  });
}

function pick(env: NodeJS.ProcessEnv, keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.flatMap((k) => (env[k] ? [[k, env[k]!]] : [])));
}

/**
 * The database for a test file, migrated: the run's PostgreSQL database when configured
 * (shared by the files of the run: tests create their own tenants and never reset), a
 * private in-memory PGlite otherwise.
 */
export async function openTestDatabase(options: { poolSize?: number } = {}): Promise<Database> {
  const db = realPostgres
    ? new PostgresDatabase({ ownerUrl: process.env.DATABASE_URL!, poolSize: options.poolSize ?? 5 })
    : await PgliteDatabase.open();
  await migrate(db);
  return db;
}

export function openTestCache(): Cache {
  return openCache(process.env.REDIS_URL, process.env.REDIS_PREFIX ?? `kovan-test-${process.pid}:`);
}
