/**
 * `npm run bench -- broadcast`: one bot, 300 messages to 300 groups, then another bot, 600
 * messages to 30 groups (20 broadcasts), each through the real path — broadcast schedules
 * enqueued with the quota, drained by the outbox drainer — against the Telegram sandbox in
 * its own process, enforcing Telegram's limits on Telegram's clock (30/s per bot, 1/s per
 * chat after a burst of 3, 20/min per group). For each scenario: elapsed from the drainer's
 * start to the last message's answer, the theoretical minimum under those limits, the
 * planner's prediction, and 429s / lost / duplicated from the sandbox's own call log.
 * Last line: JSON. Uses DATABASE_URL (a scratch database on that server) or PGlite.
 */
import { TelegramClient } from '../src/bots/telegram-client.js';
import { createSchedule, defaultDeliveryLimits, planDelivery, runScheduleNow, startOutboxDrainer, type DeliveryLimits } from '../src/delivery/index.js';
import type { Database } from '../src/platform/db/index.js';
import { Second } from '../src/platform/time.js';
import { createTestTenant, grantLease, insertBot, insertGroups, outboxStatuses, quietLog } from '../test/delivery/fixtures.js';
import { openScratchDatabase, startSandboxProcess, tally, type SandboxBot, type SandboxProcess } from './delivery-world.js';

/** Goal from the issue: within 5 % of the theoretical minimum. */
const goalOverMinimum = 0.05;
/** The planner's per-call assumption for a sandbox on the same machine (a real Telegram round trip is ~60 ms). */
const localCallMs = 5;

/**
 * The least time from the first message to the last that Telegram's limits allow, with
 * calls taking no time: the per-bot window sends `botMessagesPerWindow` at once and then
 * waits a window; a chat takes its burst, then one per interval; a group fills its window.
 */
export function theoreticalMinimumMs(perChat: readonly number[], limits: DeliveryLimits): number {
  const total = perChat.reduce((a, b) => a + b, 0);
  const bot = (Math.ceil(total / limits.botMessagesPerWindow) - 1) * limits.botWindowMs;
  const chat = Math.max(...perChat.map((n) => Math.max(0, n - limits.chatBurst) * limits.chatIntervalMs));
  const group = Math.max(...perChat.map((n) => (Math.ceil(n / limits.groupMessagesPerWindow) - 1) * limits.groupWindowMs));
  return Math.max(bot, chat, group);
}

interface ScenarioResult {
  name: string;
  messages: number;
  elapsedMs: number;
  theoreticalMinMs: number;
  overMinimumPct: number;
  plannedMs: number;
  plannedErrorPct: number;
  received429: number;
  lost: number;
  duplicated: number;
}

async function scenario(db: Database, sandbox: SandboxProcess, bot: SandboxBot, name: string, rounds: number): Promise<ScenarioResult> {
  const { tenantId } = await createTestTenant(db, { plan: 'enterprise', messagesPerDay: 1_000_000 });
  const botId = await insertBot(db, tenantId, bot.id, bot.username);
  const groupIds = await insertGroups(db, tenantId, botId, bot.chatIds);
  const lease = await grantLease(db, tenantId, `bench-${process.pid}`);
  const now = new Date();
  let lastSchedule = '';
  for (let round = 0; round < rounds; round++) {
    await db.withTenant(tenantId, async (tx) => {
      const { schedule } = await createSchedule(tx, { name: `${name} #${round}`, text: `broadcast ${round}`, groupIds, runAt: now }, { kind: 'broadcast', now });
      const run = await runScheduleNow(tx, schedule.id, now);
      if (run?.accepted !== groupIds.length) throw new Error(`run not fully accepted: ${JSON.stringify(run)}`);
      lastSchedule = schedule.id;
    });
  }
  const expected = Array.from({ length: rounds }, (_, round) => bot.chatIds.map((chatId) => ({ chatId, text: `broadcast ${round}` }))).flat();

  const client = new TelegramClient(bot.token, sandbox.apiRoot);
  const start = Date.now();
  const plan = await db.withTenant(tenantId, (tx) => planDelivery(tx, { scheduleId: lastSchedule, now: new Date(start), callMs: localCallMs }));
  const drainer = startOutboxDrainer({ db, tenantId, lease, clientFor: () => client, log: quietLog });
  for (;;) {
    const statuses = await outboxStatuses(db, tenantId);
    if (!statuses.queued && !statuses.claimed && !statuses.sending) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await drainer.stop();

  const calls = (await sandbox.calls()).filter((c) => c.botId === bot.id);
  const lastAnswer = Math.max(...calls.filter((c) => c.ok).map((c) => c.at));
  const elapsedMs = lastAnswer - start;
  const minimum = theoreticalMinimumMs(bot.chatIds.map(() => rounds), defaultDeliveryLimits);
  const plannedMs = plan.finishesAt!.getTime() - start;
  const counted = tally(calls, expected);
  const result = {
    name,
    messages: expected.length,
    elapsedMs,
    theoreticalMinMs: minimum,
    overMinimumPct: round1(((elapsedMs - minimum) / minimum) * 100),
    plannedMs,
    plannedErrorPct: round1(((elapsedMs - plannedMs) / plannedMs) * 100),
    received429: counted.received429,
    lost: counted.lost,
    duplicated: counted.duplicated,
  };
  console.log(`${name}: ${(elapsedMs / Second).toFixed(2)} s (minimum ${minimum / Second} s, +${result.overMinimumPct} %; planned ${(plannedMs / Second).toFixed(2)} s), 429s ${result.received429}, lost ${result.lost}, duplicated ${result.duplicated}`);
  return result;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

const database = await openScratchDatabase(10);
const sandbox = await startSandboxProcess([300, 30]);
try {
  const results = [
    await scenario(database.db, sandbox, sandbox.bots[0]!, '300 messages to 300 groups', 1),
    await scenario(database.db, sandbox, sandbox.bots[1]!, '600 messages to 30 groups', 20),
  ];
  const sum = (key: 'received429' | 'lost' | 'duplicated') => results.reduce((n, r) => n + r[key], 0);
  console.log(JSON.stringify({
    bench: 'broadcast',
    database: database.kind,
    scenarios: results,
    received429: sum('received429'),
    lost: sum('lost'),
    duplicated: sum('duplicated'),
    withinGoal: results.every((r) => r.overMinimumPct <= goalOverMinimum * 100) && sum('received429') === 0 && sum('lost') === 0 && sum('duplicated') === 0,
  }));
} finally {
  await sandbox.close();
  await database.close();
}
