import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { PgliteDatabase, PostgresDatabase, migrate, type Database, type TenantTx } from '../../src/platform/db/index.js';
import type { SecretBox } from '../../src/platform/crypto.js';
import { createTenant } from '../../src/tenancy/index.js';
import { realPostgres } from '../helpers/env.js';

/** A second database on the same server (PostgreSQL) — another Kovan instance, or a restore target. */
export interface ScratchDatabase {
  /** PostgreSQL: the owner URL of the new database; PGlite: undefined (in memory). */
  url?: string;
  close(): Promise<void>;
}

let scratchCounter = 0;

/**
 * An empty PostgreSQL database created for one test and dropped after it (FORCE: a failed
 * test must not leave it behind). Only for real-PostgreSQL runs.
 */
export async function createScratchPostgres(): Promise<Required<ScratchDatabase>> {
  const name = `kovan_scratch_${process.pid}_${Date.now()}_${scratchCounter++}`;
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async close() {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** Another Kovan instance's database, migrated: a scratch PostgreSQL database or a fresh PGlite. */
export async function openOtherInstance(): Promise<{ db: Database; close(): Promise<void> }> {
  if (!realPostgres) {
    const db = await PgliteDatabase.open();
    await migrate(db);
    return { db, close: () => db.close() };
  }
  const scratch = await createScratchPostgres();
  const db = new PostgresDatabase({ ownerUrl: scratch.url, poolSize: 3 });
  await migrate(db);
  return { db, async close() { await db.close(); await scratch.close(); } };
}

export interface SeededTenant {
  tenantId: string;
  botToken: string;
  memberId: string;
  username: string;
}

let seedCounter = 0;

/**
 * A tenant with rows in most tenant tables, written the way the services write them
 * (secrets sealed with the tenant id as context, BIGINT Telegram ids beyond 2^31 and 2^53,
 * emoji and RTL text, a reply rule pointing at a template and a group, identity columns,
 * a disconnected bot whose secrets are empty, a webhook with a delivery).
 */
export async function seedTenant(db: Database, secrets: SecretBox): Promise<SeededTenant> {
  const tenantId = randomUUID();
  const n = `${process.pid}x${seedCounter++}x${Date.now() % 1e6}`;
  const username = `seed${n}`.slice(0, 32);
  // Telegram bot ids are unique across a database: unique per process and seed, since test files share one.
  const telegramBotId = 6_000_000_000 + process.pid * 1000 + seedCounter;
  const botToken = `${telegramBotId}:AAH${'x'.repeat(32)}`;
  const memberId = await db.withTenant(tenantId, async (tx) => {
    await createTenant(tx, { name: `Seed ${n} 🐝 مرحبا`, trialDays: 14 });
    const member = await one<{ id: string }>(tx, `INSERT INTO members (tenant_id, username, email, password_hash, role) VALUES ($1, $2, $3, 'argon2-hash-placeholder', 'owner') RETURNING id`, [tenantId, username, `${username}@example.test`]);
    await tx.query(`INSERT INTO sessions (tenant_id, member_id, token_hash, idle_expires_at, expires_at) VALUES ($1, $2, $3, now() + interval '1 day', now() + interval '2 days')`, [tenantId, member.id, Buffer.from(randomUUID())]);
    const bot = await one<{ id: string }>(tx,
      `INSERT INTO bots (tenant_id, telegram_bot_id, username, first_name, token_sealed, token_hint, route_id, webhook_secret_sealed)
       VALUES ($1, $2, $3, 'Seed bot', $4, 'hint', $5, $6) RETURNING id`,
      [tenantId, telegramBotId, `seed_${n}_bot`, secrets.seal(botToken, tenantId), `route-${n}`, secrets.seal('webhook-secret', tenantId)]);
    const group = await one<{ id: string }>(tx,
      `INSERT INTO groups (tenant_id, bot_id, chat_id, type, title, bot_status, settings) VALUES ($1, $2, -1001234567890123, 'supergroup', 'Arı 🐝 גרופ', 'administrator', '{"welcome": true}') RETURNING id`,
      [tenantId, bot.id]);
    await tx.query(`INSERT INTO tg_users (tenant_id, user_id, username, first_name, last_name, message_count) VALUES
      ($1, 5000000001, 'big', 'Büyük', 'עברית', 3), ($1, 42, NULL, '', NULL, 0), ($1, 9007199254740993, 'beyond53', '🐝', NULL, 1)`, [tenantId]);
    const template = await one<{ id: string }>(tx, `INSERT INTO templates (tenant_id, kind, name, content, created_by) VALUES ($1, 'reply', 'hello', 'Merhaba {{ user.first_name }} 👋', $2) RETURNING id`, [tenantId, member.id]);
    await tx.query(`INSERT INTO templates (tenant_id, kind, name, content) VALUES ($1, 'message', 'welcome', 'أهلا وسهلا')`, [tenantId]);
    await tx.query(`INSERT INTO reply_rules (tenant_id, name, trigger_type, trigger, template_id, group_ids) VALUES ($1, 'greet', 'keyword', 'selam', $2, $3)`, [tenantId, template.id, [group.id]]);
    await tx.query(`INSERT INTO messages (tenant_id, bot_id, chat_id, chat_type, user_id, direction, kind, text, template_id, status)
      SELECT $1, $2, -1001234567890123, 'supergroup', 5000000001, 'in', 'text', 'mesaj ' || g, $3, 'received' FROM generate_series(1, 25) g`, [tenantId, bot.id, template.id]);
    await tx.query(`INSERT INTO stats_daily (tenant_id, day, messages_in) VALUES ($1, '2024-02-29', 25)`, [tenantId]);
    await tx.query(`INSERT INTO tenant_configs (tenant_id, key, value, updated_by) VALUES ($1, 'time_zone', '"Europe/Istanbul"', $2)`, [tenantId, member.id]);
    await tx.query(`INSERT INTO audit_log (tenant_id, member_id, action, entity) VALUES ($1, $2, 'seeded', 'tenant')`, [tenantId, member.id]);
    // A disconnected bot keeps no secrets: its sealed columns are empty strings.
    await tx.query(`INSERT INTO bots (tenant_id, telegram_bot_id, username, first_name, token_sealed, token_hint, route_id, webhook_secret_sealed, status)
      VALUES ($1, 1, 'gone_bot', 'Gone', '', 'hint', $2, '', 'disconnected')`, [tenantId, `route-gone-${n}`]);
    await tx.query(`INSERT INTO outbox (tenant_id, idempotency_key, bot_id, chat_id, kind, priority, text, template_id)
      VALUES ($1, 'welcome:1', $2, -1001234567890123, 'welcome', 1, 'Hoş geldin 🐝', $3)`, [tenantId, bot.id, template.id]);
    await tx.query(`INSERT INTO api_keys (tenant_id, name, prefix, token_hash, last4, scopes, member_id) VALUES ($1, 'ci', $2, $3, 'abcd', '{read}', $4)`,
      [tenantId, randomUUID().replace(/-/g, '').slice(0, 8), Buffer.from(randomUUID()), member.id]);
    const webhook = await one<{ id: string }>(tx, `INSERT INTO webhooks (tenant_id, url, secret_sealed, secret_last4, created_by) VALUES ($1, 'https://example.test/hook', $2, 'wxyz', $3) RETURNING id`,
      [tenantId, secrets.seal('webhook-signing-secret', tenantId), member.id]);
    await tx.query(`INSERT INTO webhook_deliveries (tenant_id, webhook_id, event_id, event_type, payload) VALUES ($1, $2, 'evt-1', 'message.received', '{"text": "selam"}')`,
      [tenantId, webhook.id]);
    return member.id;
  });
  return { tenantId, botToken, memberId, username };
}

async function one<T>(tx: TenantTx, sql: string, params: unknown[]): Promise<T> {
  const { rows } = await tx.query<T>(sql, params);
  return rows[0]!;
}
