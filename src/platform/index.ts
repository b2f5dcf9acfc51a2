import type { Config } from '../config.js';
import { PostgresBus, type Bus } from './bus/index.js';
import { openCache, type Cache } from './cache/index.js';
import { SecretBox } from './crypto.js';
import { appUrlFor, openDatabase, migrate, type Database } from './db/index.js';
import { createLogger, type Logger } from './log.js';
import { createMailer, type Mailer } from './mail.js';

/** The infrastructure every context receives: built once per process by {@link openPlatform}. */
export interface Platform {
  config: Config;
  db: Database;
  cache: Cache;
  mailer: Mailer;
  log: Logger;
  secrets: SecretBox;
}

export interface PlatformOverrides {
  db?: Database;
  cache?: Cache;
  mailer?: Mailer;
  log?: Logger;
}

/** Opens database, cache and mailer from the config, applying migrations first unless told not to. */
export async function openPlatform(config: Config, overrides: PlatformOverrides = {}, options = { migrate: true }): Promise<Platform> {
  const log = overrides.log ?? createLogger(config.LOG_LEVEL);
  const db = overrides.db ?? (await openDatabase(config));
  if (options.migrate) {
    const report = await migrate(db);
    if (report.applied.length > 0) log.info({ applied: report.applied }, 'database migrated');
  }
  return {
    config,
    db,
    cache: overrides.cache ?? openCache(config.REDIS_URL, config.REDIS_PREFIX, processBus(config, db, log)),
    mailer: overrides.mailer ?? createMailer(config),
    log,
    secrets: new SecretBox(config.secretKey),
  };
}

/**
 * Without Redis, the processes sharing a PostgreSQL database (`kovan start`'s workers, API
 * replicas) signal each other with `LISTEN/NOTIFY`; PGlite serves one process, whose
 * in-memory bus is enough. Undefined means the in-memory bus.
 */
function processBus(config: Config, db: Database, log: Logger): Bus | undefined {
  if (config.REDIS_URL || db.kind !== 'postgres' || !config.DATABASE_URL) return undefined;
  return new PostgresBus({
    listenUrl: config.DATABASE_APP_URL ?? appUrlFor(config.DATABASE_URL),
    query: (sql, params) => db.readWithoutTenant(sql, params),
    log,
  });
}

export async function closePlatform(platform: Platform): Promise<void> {
  await platform.cache.close();
  await platform.db.close();
}
