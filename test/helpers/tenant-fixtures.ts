import type { Database } from '../../src/platform/db/index.js';

/**
 * Gives each tenant rows in tables that the foundation's API flows do not fill yet.
 * Each later context adds its tables here (through its real service functions where it
 * has them), so the isolation matrix keeps attacking every tenant table.
 */
export async function seedAllTenantTables(db: Database, tenantIds: string[]): Promise<void> {
  for (const tenantId of tenantIds) {
    await db.withTenant(tenantId, async () => {});
  }
  await seedRestApiTables(db, tenantIds); // REST API block below
  await seedRuntimeTables(db, tenantIds); // Telegram runtime block below
  await seedDeliveryTables(db, tenantIds); // Delivery block below
  await seedBillingTables(db, tenantIds); // Billing block below
  await seedIdempotencyTables(db, tenantIds); // Idempotency block below
}

// ─── REST API tables: invitations, api_keys, webhooks, webhook_deliveries ─────────
// Rows made through the real services (API keys and webhooks need Premium: the tenant is
// moved to it first).
import { createApiKey } from '../../src/api-keys/index.js';
import { inviteMember } from '../../src/members/index.js';
import { SecretBox } from '../../src/platform/crypto.js';
import { createWebhook, queueWebhookEvents } from '../../src/webhooks/index.js';

export async function seedRestApiTables(db: Database, tenantIds: string[]): Promise<void> {
  const secrets = new SecretBox(Buffer.alloc(32, 7));
  for (const tenantId of tenantIds) {
    await db.withTenant(tenantId, async (tx) => {
      await tx.query(`UPDATE subscriptions SET plan_code = 'premium' WHERE status <> 'cancelled'`);
      const memberId = (await tx.query<{ id: string }>(`SELECT id FROM members ORDER BY created_at LIMIT 1`)).rows[0]!.id;
      await inviteMember(tx, { email: `fixture-${tenantId}@example.test`, role: 'viewer' }, memberId);
      await createApiKey(tx, { name: 'fixture', scopes: ['read'] }, memberId);
      await createWebhook(tx, secrets, { url: 'http://127.0.0.1:9/fixture' }, memberId);
      await queueWebhookEvents(tx, [{ type: 'join', at: new Date().toISOString(), data: { fixture: true } }]);
    });
  }
}

// ─── Delivery tables: outbox, daily_usage, schedules, schedule_runs, notifications ───
// Through delivery's and notify's services. The outbox row needs one of the tenant's bots:
// another block's if there is one, else a minimal bot row as connecting one would leave.
import { randomInt } from 'node:crypto';
import { createSchedule, enqueueDelivery, runScheduleNow } from '../../src/delivery/index.js';
import { notifyTenant } from '../../src/notify/index.js';

export async function seedDeliveryTables(db: Database, tenantIds: string[]): Promise<void> {
  for (const tenantId of tenantIds) {
    await db.withTenant(tenantId, async (tx) => {
      const existing = (await tx.query<{ id: string }>(`SELECT id FROM bots WHERE status <> 'disconnected' LIMIT 1`)).rows[0]?.id;
      const botId = existing ?? (await tx.query<{ id: string }>(
        `INSERT INTO bots (tenant_id, telegram_bot_id, username, first_name, token_sealed, token_hint, route_id, webhook_secret_sealed)
         VALUES ($1, $2, 'fixture_bot', 'Fixture', 'sealed', 'hint', gen_random_uuid()::text, 'sealed') RETURNING id`,
        [tenantId, 9_000_000_000 + randomInt(1_000_000_000)])).rows[0]!.id;
      const enqueued = await enqueueDelivery(tx, { botId, chatId: 1, kind: 'reply', text: 'fixture', idempotencyKey: `fixture:${tenantId}` });
      if (enqueued.status === 'rejected') throw new Error(`delivery fixture refused: ${enqueued.reason}`);
      const now = new Date();
      const { schedule } = await createSchedule(tx, { name: 'Fixture', text: 'fixture', groupIds: [], runAt: now }, { now });
      await runScheduleNow(tx, schedule.id, now);
      await notifyTenant(tx, { event: 'quota_warning', title: 'Fixture', body: 'fixture', dedupeKey: `fixture:${tenantId}` });
    });
  }
}

// ─── Telegram runtime tables: bots, groups, tg_users, messages, processed_updates, templates,
// reply_rules, reply_rule_hits, stats_daily, leases ───
// Through the real update pipeline: the bot is added to a group, then someone asks the price
// and a reply rule (with a cooldown) answers. Needs Premium for auto-reply (set above).
import type { Update } from 'grammy/types';
import { handleUpdate } from '../../src/messaging/pipeline.js';
import { createReplyRule } from '../../src/rules/index.js';
import { createTemplate } from '../../src/templates/index.js';

export async function seedRuntimeTables(db: Database, tenantIds: string[]): Promise<void> {
  for (const tenantId of tenantIds) {
    await db.withTenant(tenantId, async (tx) => {
      const telegramBotId = 8_000_000_000 + randomInt(1_000_000_000);
      const botId = (await tx.query<{ id: string }>(
        `INSERT INTO bots (tenant_id, telegram_bot_id, username, first_name, token_sealed, token_hint, route_id, webhook_secret_sealed)
         VALUES ($1, $2, 'runtime_fixture_bot', 'Fixture', 'sealed', 'hint', gen_random_uuid()::text, 'sealed') RETURNING id`,
        [tenantId, telegramBotId])).rows[0]!.id;
      const template = await createTemplate(tx, { kind: 'reply', name: 'fixture price', content: 'Prices for {first_name}' });
      await createReplyRule(tx, { name: 'price', triggerType: 'keyword', trigger: 'price', caseSensitive: false, scope: 'both', groupIds: [], templateId: template.id, priority: 1, cooldownUserSeconds: 60, cooldownChatSeconds: 0, enabled: true });
      const chat = { id: -1_009_000_000_000 - randomInt(1_000_000), type: 'supergroup' as const, title: 'Fixture group' };
      const person = { id: 7_000_000_000 + randomInt(1_000_000_000), is_bot: false, first_name: 'Fixture' };
      const date = Math.floor(Date.now() / 1000);
      const bot = { id: botId, username: 'runtime_fixture_bot', telegramBotId };
      await handleUpdate(tx, bot, { update_id: 1, my_chat_member: { chat, from: person, date, old_chat_member: { status: 'left', user: { id: telegramBotId, is_bot: true, first_name: 'Fixture' } }, new_chat_member: { status: 'administrator', user: { id: telegramBotId, is_bot: true, first_name: 'Fixture' }, can_invite_users: true } } } as unknown as Update);
      await handleUpdate(tx, bot, { update_id: 2, message: { message_id: 10, date, chat, from: person, text: 'what is the price?' } } as unknown as Update);
      await tx.query(`INSERT INTO leases (tenant_id) VALUES ($1) ON CONFLICT DO NOTHING`, [tenantId]);
    });
  }
}

// ─── Billing tables: payments ───
// Through billing's services: an upgrade request (pending) on top of the Premium plan set above.
import { requestPlanChange } from '../../src/billing/index.js';

export async function seedBillingTables(db: Database, tenantIds: string[]): Promise<void> {
  for (const tenantId of tenantIds) {
    await db.withTenant(tenantId, async (tx) => {
      const result = await requestPlanChange(tx, 'enterprise');
      if (result.applied) throw new Error('billing fixture: the upgrade was applied instead of requested');
    });
  }
}

// ─── Idempotency table: idempotency_keys ──────────────────────────────────────────
// A key claimed and answered as a POST with `Idempotency-Key` leaves it.
import { claimKey, recordAnswer } from '../../src/idempotency/index.js';

export async function seedIdempotencyTables(db: Database, tenantIds: string[]): Promise<void> {
  for (const tenantId of tenantIds) {
    await db.withTenant(tenantId, async (tx) => {
      if (await claimKey(tx, `fixture:${tenantId}`, Buffer.from('fixture'))) return; // seeded before
      recordAnswer(tx, `fixture:${tenantId}`, { status: 201, body: '{"fixture":true}' });
    });
  }
}
