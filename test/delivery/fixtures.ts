import { randomUUID } from 'node:crypto';
import { TelegramClient } from '../../src/bots/telegram-client.js';
import { startOutboxDrainer, scaledLimits, type DeliveryLimits, type DrainerEvent, type LeaseToken, type OutboxDrainer } from '../../src/delivery/index.js';
import type { Database } from '../../src/platform/db/index.js';
import { createLogger } from '../../src/platform/log.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { createTenant, setSubscriptionPlan, updateConfig, type PlanCode } from '../../src/tenancy/index.js';

/**
 * Delivery test fixtures: tenants, bots, groups and leases written straight into the
 * database (the way the connect and membership flows would leave them), bots and chats in
 * the sandbox, and a drainer wired to both.
 */

/** Shrinks Telegram's clock in tests: a minute lasts 3 s, a second 50 ms. */
export const timeScale = 0.05;
export const testLimits: DeliveryLimits = scaledLimits(timeScale, { claimTtlMs: 5_000 });
export const quietLog = createLogger('silent');

export interface TenantFixture {
  tenantId: string;
  ownerEmail: string;
}

let counter = 0;

export async function createTestTenant(db: Database, options: { plan?: PlanCode; timeZone?: string; messagesPerDay?: number; maxGroups?: number } = {}): Promise<TenantFixture> {
  const tenantId = randomUUID();
  const n = `${process.pid}x${counter++}`;
  const ownerEmail = `owner${n}@example.test`;
  await db.withTenant(tenantId, async (tx) => {
    await createTenant(tx, { name: `Delivery ${n}`, trialDays: 0 });
    await tx.query(`INSERT INTO members (tenant_id, username, email, role) VALUES ($1, $2, $3, 'owner')`, [tenantId, `owner${n}`.slice(0, 32), ownerEmail]);
    if (options.plan || options.messagesPerDay || options.maxGroups) {
      const custom = options.messagesPerDay || options.maxGroups ? { customLimits: { messagesPerDay: options.messagesPerDay, maxGroups: options.maxGroups } } : {};
      await setSubscriptionPlan(tx, options.plan ?? 'basic', custom);
    }
    if (options.timeZone) await updateConfig(tx, 'time_zone', options.timeZone);
  });
  return { tenantId, ownerEmail };
}

/** A bot row as connecting one leaves it; the token itself stays with the test (clientFor). */
export async function insertBot(db: Database, tenantId: string, telegramBotId: number, username: string): Promise<string> {
  return db.withTenant(tenantId, async (tx) => (await tx.query<{ id: string }>(
    `INSERT INTO bots (tenant_id, telegram_bot_id, username, first_name, token_sealed, token_hint, route_id, webhook_secret_sealed)
     VALUES ($1, $2, $3, $3, 'sealed-in-test', 'hint', $4, 'sealed-in-test') RETURNING id`,
    [tenantId, telegramBotId, username, randomUUID()])).rows[0]!.id);
}

/** A group row as the membership flow records it when the bot is added. */
export async function insertGroup(db: Database, tenantId: string, botId: string, chatId: number, title = `Group ${chatId}`): Promise<string> {
  return (await insertGroups(db, tenantId, botId, [chatId], [title]))[0]!;
}

/** Many group rows in one statement (benchmarks add thousands); ids in the order given. */
export async function insertGroups(db: Database, tenantId: string, botId: string, chatIds: readonly number[], titles = chatIds.map((id) => `Group ${id}`)): Promise<string[]> {
  return db.withTenant(tenantId, async (tx) => (await tx.query<{ id: string }>(
    `INSERT INTO groups (tenant_id, bot_id, chat_id, type, title, bot_status, added_at)
     SELECT $1, $2, g.chat_id, 'supergroup', g.title, 'administrator', now() + g.ord * interval '1 microsecond'
       FROM unnest($3::bigint[], $4::text[]) WITH ORDINALITY AS g(chat_id, title, ord)
      ORDER BY g.ord RETURNING id`,
    [tenantId, botId, chatIds, titles])).rows.map((r) => r.id));
}

/** Grants (or re-grants, with a higher epoch) the tenant's lease to a worker. */
export async function grantLease(db: Database, tenantId: string, workerId: string, ttlMs = 3_600_000): Promise<LeaseToken> {
  return db.withTenant(tenantId, async (tx) => {
    const { rows } = await tx.query<{ epoch: number }>(
      `INSERT INTO leases (tenant_id, worker_id, epoch, expires_at, state, granted_at)
       VALUES ($1, $2, 1, now() + $3 * interval '1 millisecond', 'running', now())
       ON CONFLICT (tenant_id) DO UPDATE SET worker_id = EXCLUDED.worker_id, epoch = leases.epoch + 1,
              expires_at = EXCLUDED.expires_at, granted_at = now()
       RETURNING epoch`, [tenantId, workerId, ttlMs]);
    return { workerId, epoch: rows[0]!.epoch };
  });
}

export interface SandboxTenant extends TenantFixture {
  botId: string;
  telegramBotId: number;
  token: string;
  lease: LeaseToken;
  /** Sandbox group chat ids, with their Kovan group ids. */
  groups: Array<{ chatId: number; groupId: string }>;
  /** Sandbox users who started the bot (may receive private messages). */
  users: number[];
  client: TelegramClient;
}

/** A tenant with one sandbox bot in `groups` groups, `users` users who started it, and the lease. */
export async function sandboxTenant(db: Database, sandbox: Sandbox, options: { groups?: number; users?: number; plan?: PlanCode; timeZone?: string; messagesPerDay?: number } = {}): Promise<SandboxTenant> {
  const tenant = await createTestTenant(db, options);
  const n = `${process.pid}n${counter++}`;
  // Bot ids unique across the test files sharing one database (each has its own sandbox).
  const botIdInSandbox = 8_000_000_000 + (process.pid % 100_000) * 1_000 + counter;
  const created = sandbox.createBot({ username: `d${n}_bot`, token: `${botIdInSandbox}:${randomUUID().replaceAll('-', '')}` });
  const botId = await insertBot(db, tenant.tenantId, created.id, created.username);
  const users = Array.from({ length: options.users ?? 0 }, (_, i) => {
    const user = sandbox.createUser({ firstName: `User${i}` });
    sandbox.userStartsBot(user.id, created.id);
    return user.id;
  });
  const owner = sandbox.createUser({ firstName: 'Owner' });
  const groups: SandboxTenant['groups'] = [];
  for (let i = 0; i < (options.groups ?? 0); i++) {
    const group = sandbox.createGroup({ title: `G${n}-${i}`, type: 'supergroup', memberIds: [owner.id] });
    sandbox.addBotToGroup(created.id, group.id, { admin: true });
    groups.push({ chatId: group.id, groupId: await insertGroup(db, tenant.tenantId, botId, group.id, group.title) });
  }
  const lease = await grantLease(db, tenant.tenantId, `worker-${n}`);
  return { ...tenant, botId, telegramBotId: created.id, token: created.token, lease, groups, users, client: new TelegramClient(created.token, sandbox.apiRoot) };
}

export interface RunningDrainer extends OutboxDrainer {
  events: DrainerEvent[];
}

/** A drainer for the fixture's tenant, recording its events. */
export function drain(db: Database, t: SandboxTenant, options: { limits?: Partial<DeliveryLimits>; lease?: LeaseToken } = {}): RunningDrainer {
  const events: DrainerEvent[] = [];
  const drainer = startOutboxDrainer({
    db, tenantId: t.tenantId, lease: options.lease ?? t.lease, log: quietLog,
    clientFor: () => t.client,
    limits: { ...testLimits, ...options.limits },
    onEvent: (event) => events.push(event),
  });
  return { ...drainer, events };
}

/** Row counts by status of a tenant's outbox. */
export async function outboxStatuses(db: Database, tenantId: string): Promise<Record<string, number>> {
  return db.withTenant(tenantId, async (tx) => Object.fromEntries((await tx.query<{ status: string; n: number }>(
    `SELECT status, count(*)::int AS n FROM outbox GROUP BY status`)).rows.map((r) => [r.status, r.n])));
}

/** Waits until no row of the tenant is queued, claimed or sending (or the time runs out). */
export async function waitUntilDrained(db: Database, tenantId: string, timeoutMs = 20_000): Promise<Record<string, number>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const statuses = await outboxStatuses(db, tenantId);
    if (!statuses.queued && !statuses.claimed && !statuses.sending) return statuses;
    if (Date.now() > deadline) throw new Error(`outbox not drained after ${timeoutMs} ms: ${JSON.stringify(statuses)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Sandbox messages per chat id, counting how often each text arrived (duplicates show as > 1). */
export function deliveredTexts(sandbox: Sandbox, botId: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (const message of sandbox.calls.sentMessages({ botId })) {
    const key = `${message.chat.id}:${'text' in message ? message.text : ''}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}
