import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';

/**
 * Every environment variable Kovan reads, in one schema. The README's configuration table
 * mirrors this file; keep both in step. Nothing else in the code reads `process.env`.
 */
const emptyAsUndefined = (v: unknown) => (v === '' ? undefined : v);
const optionalUrl = z.preprocess(emptyAsUndefined, z.string().url().optional());
const optionalString = z.preprocess(emptyAsUndefined, z.string().optional());

export const environmentSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  /** Behind a reverse proxy (nginx): trust X-Forwarded-For for client IPs (rate limits). */
  TRUST_PROXY: z.preprocess(emptyAsUndefined, z.enum(['true', 'false']).default('false').transform((v) => v === 'true')),
  /** Base URL people open the Mini App at (links in e-mails). Default: http://localhost:PORT. */
  APP_URL: optionalUrl,
  /** Where the embedded database, generated secret key and dev e-mails live. */
  DATA_DIR: z.string().default('./data'),
  /** Owner connection, used for migrations. Unset → embedded PGlite in DATA_DIR. */
  DATABASE_URL: optionalUrl,
  /** Application connection (role `kovan_app`, no BYPASSRLS). Unset → DATABASE_URL with user `kovan_app`. */
  DATABASE_APP_URL: optionalUrl,
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /** Unset → in-process cache, counters and event fan-out (one API process only). */
  REDIS_URL: optionalUrl,
  /** Prefix of every Redis key and channel, so deployments (or test runs) can share one Redis. */
  REDIS_PREFIX: z.string().max(64).default('kovan:'),
  /** 32 bytes, base64 or hex: encrypts bot tokens and sessions at rest. Required in production. */
  KOVAN_SECRET_KEY: optionalString,
  /** Public https base URL; when set, bots receive updates by webhook instead of polling. */
  PUBLIC_URL: optionalUrl,
  /** The operator's own bot: hosts the Mini App, signs its initData, notifies tenant owners. */
  PLATFORM_BOT_TOKEN: optionalString,
  /** Telegram Bot API root. The real API unless demo mode points it at the sandbox. */
  TELEGRAM_API_ROOT: z.string().url().default('https://api.telegram.org'),
  /** Run the in-process Telegram sandbox with a demo tenant. Default: on when no real bot token is configured. */
  DEMO_MODE: z.preprocess(emptyAsUndefined, z.enum(['on', 'off', 'auto']).default('auto')),
  /** Port of demo mode's Telegram sandbox. Default: PORT + 1 (a random free one when PORT is 0), so its address stays the same across restarts. */
  SANDBOX_PORT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65535).optional()),
  SMTP_URL: optionalUrl,
  /** Write e-mails as files under DATA_DIR/mail instead of sending them. Production refuses to start without SMTP_URL unless this is on. */
  MAIL_TO_FILES: z.preprocess(emptyAsUndefined, z.enum(['on', 'off']).default('off')),
  MAIL_FROM: z.string().default('Kovan <no-reply@kovan.local>'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Days of the Basic trial a new tenant gets. */
  TRIAL_DAYS: z.coerce.number().int().min(0).max(365).default(14),
  /** Maximum age of Mini App initData accepted for login. */
  INITDATA_MAX_AGE_SECONDS: z.coerce.number().int().min(30).max(86400).default(3600),
  /** Concurrent argon2 hashes; each takes ~19 MiB and a core for ~50 ms. */
  PASSWORD_HASH_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  WORKERS: z.coerce.number().int().min(0).max(64).optional(),
  WORKER_POOL: z.string().regex(/^[a-z0-9-]{1,40}$/).default('shared'),
  WORKER_CAPACITY: z.coerce.number().int().min(1).default(1000),
  /** How long a worker's claim on a tenant session lasts without renewal; failover takes at most this. */
  LEASE_TTL_MS: z.coerce.number().int().min(500).max(120_000).default(9000),
  /** Long-poll timeout for getUpdates, in seconds (Telegram allows up to 50). */
  POLL_TIMEOUT_SECONDS: z.coerce.number().int().min(0).max(50).default(25),
  /** /readyz answers 503 while the event loop's delay over the last seconds exceeds this (docs/OPERATIONS.md §10). */
  EVENT_LOOP_READY_MAX_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
  /** A watchdog thread kills the process when its event loop stays blocked this long (0: never); the supervisor or Kubernetes restarts it. */
  EVENT_LOOP_STALL_MS: z.coerce.number().int().min(0).max(600_000).default(30_000),
  /** After SIGTERM, how long draining may take before a hard exit (keep below Kubernetes' terminationGracePeriodSeconds). */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(25_000),
  /** The whole request (headers and body) must arrive within this; slow senders get 408 and are disconnected. */
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  /** Writes (POST/PUT/PATCH/DELETE) one tenant may make per 10 s across all API replicas; more are answered 429. */
  TENANT_WRITE_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(100),
});

export type Environment = z.infer<typeof environmentSchema>;

/** The resolved configuration the rest of the code receives. */
export interface Config extends Environment {
  secretKey: Buffer;
  production: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/**
 * Parses the environment and reports *every* problem at once, so an operator fixes a bad
 * deployment in one round instead of one variable per restart.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, log: (msg: string) => void = console.warn): Config {
  const parsed = environmentSchema.safeParse(env);
  const problems: string[] = parsed.success
    ? []
    : parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  // Cross-field rules are checked on the raw values too, so one run lists every problem.
  const production = (parsed.success ? parsed.data.NODE_ENV : env.NODE_ENV) === 'production';
  const keyText = env.KOVAN_SECRET_KEY || undefined;
  let secretKey = keyText ? decodeKey(keyText) : undefined;
  if (keyText && !secretKey) problems.push('KOVAN_SECRET_KEY: must be 32 bytes, base64 or hex encoded');
  if (!keyText && production) problems.push('KOVAN_SECRET_KEY: required in production (32 bytes, base64 or hex)');
  if (production && !env.DATABASE_URL) problems.push('DATABASE_URL: required in production');
  // Password resets and invitations that silently land in files would look sent and never arrive.
  if (production && !env.SMTP_URL && env.MAIL_TO_FILES !== 'on') problems.push('SMTP_URL: required in production (or MAIL_TO_FILES=on to write e-mails to DATA_DIR/mail on purpose)');
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  secretKey ??= developmentKey(e.DATA_DIR, log);
  return { ...e, secretKey, production };
}

function decodeKey(text: string): Buffer | undefined {
  const hex = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : undefined;
  const key = hex ?? Buffer.from(text, 'base64');
  return key.length === 32 ? key : undefined;
}

/** Outside production a missing key is generated once and kept, so encrypted data survives restarts. */
function developmentKey(dataDir: string, log: (msg: string) => void): Buffer {
  const file = path.join(dataDir, 'secret.key');
  if (existsSync(file)) return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, key.toString('base64'), { mode: 0o600 });
  log(`KOVAN_SECRET_KEY is not set: generated one into ${file}. Set KOVAN_SECRET_KEY in production.`);
  return key;
}
