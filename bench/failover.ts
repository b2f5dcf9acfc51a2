/**
 * `npm run bench -- failover [--tenants N] [--workers W] [--chats C] [--per-chat M] [--ttl MS] [--kill-after S] [--kills K]`:
 * K worker crashes, each in the middle of a broadcast. Real PostgreSQL (a scratch database, dropped
 * at the end), W real `kovan worker` processes sharing N tenants through leases, the Telegram
 * sandbox in its own process with Telegram's flood limits. Each tenant's polling bot has C
 * private chats (users who pressed Start); once the sessions are spread over the workers,
 * every tenant gets C × M messages with unique texts enqueued (enqueueMany, one transaction
 * per tenant, quota charged). S seconds later the worker holding the most sessions is
 * SIGKILLed: no release, no cleanup; in-flight sends die with it. Once the outbox is finished
 * a replacement worker is started and, when the sessions have spread again, the next round
 * begins (the kill lands at a different point of the renewal tick each time).
 *
 * Reported per kill and over all kills (median and worst, and as a fraction of the lease
 * TTL): seconds from the kill until every one of its sessions was granted to another worker
 * (the leases' granted_at) and until each of them sent again (the sandbox's call log); then,
 * over every broadcast, lost (accepted, never arrived), duplicated (arrived twice), the rows
 * a new holder found "sending" and marked failed as outcome_unknown (at-most-once: an
 * in-doubt send is never repeated), 429s. Last line on stdout: JSON.
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { enqueueMany, type DeliveryRequest } from '../src/delivery/index.js';
import { SecretBox } from '../src/platform/crypto.js';
import { PostgresDatabase, migrate } from '../src/platform/db/index.js';
import { createDatabase } from './bench-database.js';
import { tally } from './delivery-world.js';
import { quantile, round, say, seedTenants, sleep, spawnKovan, startSandboxProcess, waitFor, workDir, type KovanProcess } from './fleet-world.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== 'failover'),
  options: {
    tenants: { type: 'string', default: '36' },
    workers: { type: 'string', default: '3' },
    chats: { type: 'string', default: '10' },
    'per-chat': { type: 'string', default: '12' },
    ttl: { type: 'string', default: '9000' },
    'kill-after': { type: 'string', default: '3' },
    kills: { type: 'string', default: '5' },
  },
});
const tenantCount = int(values.tenants!, 'tenants', 2, 500);
const workerCount = int(values.workers!, 'workers', 2, 8);
const chats = int(values.chats!, 'chats', 1, 100);
const perChat = int(values['per-chat']!, 'per-chat', 1, 100);
const ttlMs = int(values.ttl!, 'ttl', 1_000, 120_000);
const killAfterMs = Number(values['kill-after']) * 1000;
const killCount = int(values.kills!, 'kills', 1, 20);
if (!(killAfterMs >= 0 && killAfterMs <= 60_000)) throw new Error('--kill-after: 0–60 seconds');
if (!process.env.DATABASE_URL) throw new Error('failover needs DATABASE_URL (real PostgreSQL: worker processes share the fleet through it)');

function int(text: string, name: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name}: an integer ${min}–${max}`);
  return n;
}

interface KillResult {
  sessions: number;
  seconds_into_broadcast: number;
  outbox_at_kill: Record<string, number>;
  seconds_to_all_regranted: number;
  seconds_to_sending_resumed: { bots: number; median: number; max: number };
  in_doubt_marked_failed: number;
}

const work = workDir('failover');
const secretKey = randomBytes(32);
const secrets = new SecretBox(secretKey);
const cleanups: Array<() => Promise<unknown>> = [];
let stopping = false;

async function main(): Promise<void> {
  try {
    const scratch = await createDatabase(process.env.DATABASE_URL!);
    cleanups.push(() => scratch.drop());
    const db = new PostgresDatabase({ ownerUrl: scratch.url, poolSize: 6 });
    cleanups.push(() => db.close());
    await migrate(db);
    const owner = <T>(sql: string, params: unknown[] = []) => db.withOwner(async (tx) => (await tx.query<T>(sql, params)).rows);

    const tenants = await seedTenants(db, secrets, Array.from({ length: tenantCount }, () => ({ pool: 'shared', plan: 'premium' as const, mode: 'polling' as const })), 'fo');
    const sandbox = await startSandboxProcess({ bots: tenants.map((t) => ({ token: t.token, username: t.username })), startsPerBot: tenants.map(() => chats) }, work);
    cleanups.push(() => sandbox.close());
    say(`seeded ${tenantCount} tenants (Premium, one polling bot each, ${chats} private chats each); sandbox at ${sandbox.apiRoot}`);

    const env: Record<string, string> = {
      NODE_ENV: 'production', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', DATA_DIR: path.join(work, 'data'), DEMO_MODE: 'off',
      KOVAN_SECRET_KEY: secretKey.toString('base64'), DATABASE_URL: scratch.url, DATABASE_POOL_SIZE: '5', TELEGRAM_API_ROOT: sandbox.apiRoot,
      LEASE_TTL_MS: String(ttlMs), POLL_TIMEOUT_SECONDS: '25',
    };
    const victims = new Set<KovanProcess>();
    const workers: KovanProcess[] = [];
    const startWorker = () => {
      const w = spawnKovan('worker', env);
      workers.push(w);
      void w.exited.then((code) => { if (!stopping && !victims.has(w)) say(`worker ${w.pid} exited (${code}):\n${w.output.slice(-15).join('\n')}`); });
    };
    for (let i = 0; i < workerCount; i++) startWorker();
    cleanups.push(() => Promise.all(workers.map((w) => w.stop())));

    const expected: Array<{ chatId: number; text: string }> = [];
    const kills: KillResult[] = [];
    let rowsInDoubt = 0;
    for (let round_ = 1; round_ <= killCount; round_++) {
      // Every session running, spread over all live workers (and, the first time, every bot took its users' /start).
      let t0 = performance.now();
      const spread = await waitFor(async () => {
        const rows = await owner<{ worker_id: string; n: number }>(
          `SELECT worker_id, count(*)::int AS n FROM leases WHERE worker_id IS NOT NULL AND expires_at > now() AND state = 'running' GROUP BY worker_id`);
        const held = rows.reduce((s, r) => s + r.n, 0);
        const processed = (await owner<{ n: number }>(`SELECT count(*)::int AS n FROM processed_updates`))[0]!.n;
        return held === tenantCount && rows.length === workerCount && Math.max(...rows.map((r) => r.n)) <= Math.ceil((tenantCount / workerCount) * 1.1) + 1
          && processed >= tenantCount * chats ? rows : undefined;
      }, 120_000, 250);
      if (!spread) throw new Error(`sessions did not spread over ${workerCount} workers within 120 s`);
      say(`kill ${round_}/${killCount}: ${tenantCount} sessions on ${workerCount} worker processes (${spread.map((r) => r.n).join(' / ')}) after ${round((performance.now() - t0) / 1000)} s`);

      // The broadcast: C × M unique messages per tenant, one enqueue transaction per tenant.
      const enqueuedAt = Date.now();
      await Promise.all(tenants.map((t) => db.withTenant(t.tenantId, async (tx) => {
        const requests: DeliveryRequest[] = [];
        for (let m = 0; m < perChat; m++) {
          for (const chatId of sandbox.users[t.index]!) {
            const text = `failover k${round_} t${t.index} c${chatId} #${m}`;
            requests.push({ botId: t.botId, chatId, kind: 'broadcast', text, idempotencyKey: `bench:${text}` });
            expected.push({ chatId, text });
          }
        }
        const results = await enqueueMany(tx, requests);
        const refused = results.filter((r) => r.status !== 'accepted');
        if (refused.length > 0) throw new Error(`tenant ${t.index}: ${refused.length} messages not accepted: ${JSON.stringify(refused[0])}`);
      })));
      say(`enqueued ${(tenants.length * chats * perChat).toLocaleString('en-US')} messages (${perChat} per chat; Telegram's 1 msg/s per chat makes each tenant's share take ~${perChat - 2} s)`);

      await sleep(killAfterMs);
      const holders = await owner<{ worker_id: string; pid: number; n: number }>(
        `SELECT l.worker_id, w.pid, count(*)::int AS n FROM leases l JOIN workers w ON w.id = l.worker_id
          WHERE l.expires_at > now() GROUP BY l.worker_id, w.pid ORDER BY n DESC, l.worker_id LIMIT 1`);
      const target = holders[0]!;
      const victim = workers.find((w) => w.pid === target.pid && !victims.has(w));
      if (!victim) throw new Error(`worker ${target.worker_id} (pid ${target.pid}) is not one of ours`);
      victims.add(victim);
      const victimTenants = (await owner<{ tenant_id: string }>(`SELECT tenant_id FROM leases WHERE worker_id = $1`, [target.worker_id])).map((r) => r.tenant_id);
      const before = await outboxStatuses();
      const killedAt = Date.now();
      await victim.kill();
      say(`SIGKILL worker pid ${victim.pid} holding ${victimTenants.length} sessions, ${round((killedAt - enqueuedAt) / 1000)} s into the broadcast (outbox then: ${JSON.stringify(before)})`);

      // Every one of its sessions granted to a surviving worker: the leases' own grant time.
      const regranted = await waitFor(async () => {
        const rows = await owner<{ tenant_id: string; worker_id: string | null; granted_ms: number }>(
          `SELECT tenant_id, worker_id, (extract(epoch FROM granted_at) * 1000)::float8 AS granted_ms FROM leases WHERE tenant_id = ANY($1::uuid[])`, [victimTenants]);
        return rows.every((r) => r.worker_id !== null && r.worker_id !== target.worker_id) ? rows : undefined;
      }, ttlMs * 4 + 30_000, 100);
      if (!regranted) throw new Error('the dead worker\'s sessions were not taken over');
      const regrantSeconds = (Math.max(...regranted.map((r) => r.granted_ms)) - killedAt) / 1000;
      say(`all ${victimTenants.length} sessions granted elsewhere ${round(regrantSeconds, 2)} s after the kill (first after ${round((Math.min(...regranted.map((r) => r.granted_ms)) - killedAt) / 1000, 2)} s)`);

      const drained = await waitFor(async () => {
        const s = await outboxStatuses();
        return !s.queued && !s.claimed && !s.sending ? s : undefined;
      }, 180_000, 500);
      if (!drained) say(`outbox not finished after 180 s: ${JSON.stringify(await outboxStatuses())}`);
      say(`outbox finished ${round((Date.now() - enqueuedAt) / 1000)} s after the enqueue: ${JSON.stringify(drained ?? (await outboxStatuses()))}`);

      // Resumed: the bot's first message sent by its new holder (calls the dead worker had
      // already put on the wire may still be answered after the kill; they do not count).
      const calls = await sandbox.calls('sendMessage');
      const grantedAt = new Map(regranted.map((r) => [r.tenant_id, r.granted_ms]));
      const resumeSeconds: number[] = [];
      for (const t of tenants.filter((x) => victimTenants.includes(x.tenantId))) {
        const after = calls.filter((c) => c.botId === t.telegramBotId && c.ok && c.at >= grantedAt.get(t.tenantId)!).map((c) => c.at);
        if (after.length > 0) resumeSeconds.push((Math.min(...after) - killedAt) / 1000);
      }
      resumeSeconds.sort((a, b) => a - b);
      const inDoubtNow = (await owner<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE reason = 'outcome_unknown'`))[0]!.n;
      kills.push({
        sessions: victimTenants.length, seconds_into_broadcast: round((killedAt - enqueuedAt) / 1000, 2), outbox_at_kill: before,
        seconds_to_all_regranted: round(regrantSeconds, 2),
        seconds_to_sending_resumed: { bots: resumeSeconds.length, median: round(quantile(resumeSeconds, 0.5), 2), max: round(resumeSeconds.at(-1) ?? NaN, 2) },
        in_doubt_marked_failed: inDoubtNow - rowsInDoubt,
      });
      rowsInDoubt = inDoubtNow;
      say(`sending resumed on ${resumeSeconds.length} of ${victimTenants.length} bots, the last ${round(resumeSeconds.at(-1) ?? NaN, 2)} s after the kill`);
      startWorker();
    }

    const calls = await sandbox.calls('sendMessage');
    const counted = tally(calls, expected);
    const inDoubt = await owner<{ chat_id: number; text: string }>(`SELECT chat_id, text FROM outbox WHERE reason = 'outcome_unknown'`);
    const arrivedKeys = new Set(calls.filter((c) => c.ok).map((c) => `${c.params.chat_id}:${c.params.text}`));
    const inDoubtArrived = inDoubt.filter((r) => arrivedKeys.has(`${r.chat_id}:${r.text}`)).length;
    const lostByStatus = await lostBreakdown(expected, arrivedKeys);
    // Per kill, the time until every one of the dead worker's sessions was sending again.
    const allResumed = kills.map((k) => k.seconds_to_sending_resumed.max).sort((a, b) => a - b);
    const allRegranted = kills.map((k) => k.seconds_to_all_regranted).sort((a, b) => a - b);
    const ttlSeconds = ttlMs / 1000;
    say(`${killCount} kills: all sending again after ${allResumed.join(' / ')} s (TTL ${ttlSeconds} s); lost ${counted.lost} (${JSON.stringify(lostByStatus)}), duplicated ${counted.duplicated}, `
      + `in doubt ${inDoubt.length} (${inDoubtArrived} of them had arrived), 429s ${counted.received429}`);

    console.log(JSON.stringify({
      bench: 'failover', database: 'postgres', worker_processes: workerCount, tenants: tenantCount, messages: expected.length,
      lease_ttl_ms: ttlMs, renew_tick_ms: Math.max(100, Math.floor(ttlMs / 3)), kills: killCount,
      seconds_kill_to_all_regranted: { median: round(quantile(allRegranted, 0.5), 2), worst: round(allRegranted.at(-1)!, 2) },
      seconds_kill_to_all_sending_again: { median: round(quantile(allResumed, 0.5), 2), worst: round(allResumed.at(-1)!, 2) },
      ttl_ratio_all_sending_again: { median: round(quantile(allResumed, 0.5) / ttlSeconds, 2), worst: round(allResumed.at(-1)! / ttlSeconds, 2) },
      per_kill: kills,
      delivered: counted.delivered, lost: counted.lost, lost_by_outbox_state: lostByStatus, duplicated: counted.duplicated,
      in_doubt_marked_failed: inDoubt.length, in_doubt_that_had_arrived: inDoubtArrived,
      received_429: counted.received429, outbox_final: await outboxStatuses(),
      cpus: availableParallelism(), load_average_1m: round(loadavg()[0]!, 2),
    }));

    async function outboxStatuses(): Promise<Record<string, number>> {
      return Object.fromEntries((await owner<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM outbox GROUP BY status ORDER BY status`)).map((r) => [r.status, r.n]));
    }

    /** Why each lost message did not arrive, as the outbox tells it (status / reason). */
    async function lostBreakdown(all: Array<{ chatId: number; text: string }>, arrived: Set<string>): Promise<Record<string, number>> {
      const lost = all.filter((m) => !arrived.has(`${m.chatId}:${m.text}`));
      if (lost.length === 0) return {};
      const rows = await owner<{ state: string; n: number }>(
        `SELECT status || coalesce('/' || reason, '') AS state, count(*)::int AS n FROM outbox WHERE text = ANY($1::text[]) GROUP BY 1`, [lost.map((m) => m.text)]);
      return Object.fromEntries(rows.map((r) => [r.state, r.n]));
    }
  } finally {
    stopping = true;
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error) => say(`cleanup: ${(error as Error).message}`));
    await rm(work, { recursive: true, force: true });
  }
}

await main();
