import type { Config } from '../config.js';
import { openCache, type Cache } from './cache/index.js';
import { SecretBox } from './crypto.js';
import { openDatabase, migrate, type Database } from './db/index.js';
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
    cache: overrides.cache ?? openCache(config.REDIS_URL, config.REDIS_PREFIX),
    mailer: overrides.mailer ?? createMailer(config),
    log,
    secrets: new SecretBox(config.secretKey),
  };
}

export async function closePlatform(platform: Platform): Promise<void> {
  await platform.cache.close();
  await platform.db.close();
}
