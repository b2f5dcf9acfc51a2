/**
 * `npm run bench -- throughput [--tenants 1000] [--groups 10] [--per-group 2]`: many
 * tenants sending at once from one worker process — one outbox drainer per tenant, as a
 * worker holding their leases runs them — to the Telegram sandbox in its own process (its
 * limits on; the load is spread so that no limit binds and the figure is Kovan's own). Every
 * message goes through enqueueMany (quota charged) and the drainer (attempt recorded,
 * answer and history recorded). Reports the enqueue rate and the aggregate send rate, and
 * checks the sandbox's call log: lost, duplicated, 429s. Last line: JSON.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { TelegramClient } from '../src/bots/telegram-client.js';
import { enqueueMany, startOutboxDrainer, type DeliveryRequest, type LeaseToken, type OutboxDrainer } from '../src/delivery/index.js';
import type { Database } from '../src/platform/db/index.js';
import { Second } from '../src/platform/time.js';
import { createTestTenant, grantLease, insertBot, insertGroups, quietLog } from '../test/delivery/fixtures.js';
import { openScratchDatabase, startSandboxProcess, tally, type SandboxBot } from './delivery-world.js';

const { values } = parseArgs({
  args: process.argv.slice(2),
  allowPositionals: true, // `bench/run.ts throughput …` passes the bench's name first
  options: {
    tenants: { type: 'string', default: '1000' },
    groups: { type: 'string', default: '10' },
    'per-group': { type: 'string', default: '2' },
  },
});
const tenants = Number(values.tenants);
const groupsPerTenant = Number(values.groups);
const perGroup = Number(values['per-group']);
/** Set-up and enqueue run this many tenants at a time (a fleet's API and pipeline would be spread out too). */
const setupConcurrency = 8;
/** Database connections of the worker process. */
const poolSize = 16;

interface BenchTenant {
  tenantId: string;
  lease: LeaseToken;
  bot: SandboxBot;
  requests: DeliveryRequest[];
}

async function inBatches<T, R>(items: readonly T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: size }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  }));
  return results;
}

async function setUp(db: Database, bot: SandboxBot, n: number): Promise<BenchTenant> {
  const { tenantId } = await createTestTenant(db, { plan: 'enterprise', messagesPerDay: 100_000 });
  const botId = await insertBot(db, tenantId, bot.id, bot.username);
  await insertGroups(db, tenantId, botId, bot.chatIds);
  const lease = await grantLease(db, tenantId, `bench-worker-${process.pid}`);
  const requests = bot.chatIds.flatMap((chatId) => Array.from({ length: perGroup }, (_, i): DeliveryRequest => ({
    botId, chatId, kind: 'broadcast', text: `t${n} #${i}`, idempotencyKey: `bench:${chatId}:${i}`,
  })));
  return { tenantId, lease, bot, requests };
}

async function unfinished(db: Database): Promise<number> {
  return db.withOwner(async (tx) => (await tx.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM outbox WHERE status IN ('queued', 'claimed', 'sending')`)).rows[0]!.n);
}

const database = await openScratchDatabase(poolSize);
const sandbox = await startSandboxProcess(Array.from({ length: tenants }, () => groupsPerTenant));
const drainers: OutboxDrainer[] = [];
try {
  const { db } = database;
  const setupStarted = Date.now();
  const fleet = await inBatches(sandbox.bots.map((bot, n) => ({ bot, n })), setupConcurrency, ({ bot, n }) => setUp(db, bot, n));
  const setupMs = Date.now() - setupStarted;

  const enqueueStarted = Date.now();
  await inBatches(fleet, setupConcurrency, async (t) => {
    const results = await db.withTenant(t.tenantId, (tx) => enqueueMany(tx, t.requests));
    if (results.some((r) => r.status !== 'accepted')) throw new Error(`not accepted: ${JSON.stringify(results.find((r) => r.status !== 'accepted'))}`);
  });
  const enqueueMs = Date.now() - enqueueStarted;
  const total = fleet.reduce((n, t) => n + t.requests.length, 0);

  const sendStarted = Date.now();
  for (const t of fleet) {
    const client = new TelegramClient(t.bot.token, sandbox.apiRoot);
    drainers.push(startOutboxDrainer({ db, tenantId: t.tenantId, lease: t.lease, clientFor: () => client, log: quietLog }));
  }
  while ((await unfinished(db)) > 0) await new Promise((r) => setTimeout(r, 250));
  const sendMs = Date.now() - sendStarted;
  await Promise.all(drainers.splice(0).map((d) => d.stop()));

  const expected = fleet.flatMap((t) => t.requests.map((r) => ({ chatId: r.chatId, text: r.text })));
  const counted = tally(await sandbox.calls(), expected);
  const summary = {
    bench: 'throughput',
    database: database.kind,
    cpus: os.cpus().length,
    tenants,
    messages: total,
    setupSeconds: Math.round(setupMs / 100) / 10,
    enqueuePerSecond: Math.round(total / (enqueueMs / Second)),
    sendSeconds: Math.round(sendMs / 100) / 10,
    messagesPerSecond: Math.round(total / (sendMs / Second)),
    received429: counted.received429,
    lost: counted.lost,
    duplicated: counted.duplicated,
  };
  console.log(`${tenants} tenants, ${total} messages: enqueued at ${summary.enqueuePerSecond}/s; sent in ${summary.sendSeconds} s = ${summary.messagesPerSecond} messages/s on ${summary.cpus} cores (${database.kind}); 429s ${counted.received429}, lost ${counted.lost}, duplicated ${counted.duplicated}`);
  console.log(JSON.stringify(summary));
} finally {
  await Promise.all(drainers.map((d) => d.stop()));
  await sandbox.close();
  await database.close();
}
