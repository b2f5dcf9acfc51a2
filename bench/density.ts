/**
 * `npm run bench -- density [--sessions K[,K…]] [--process-bots P] [--poll-timeout S] [--ttl MS]`:
 * live tenant sessions per worker process against memory, and what one process per bot
 * (container per tenant) costs instead. Real PostgreSQL (a scratch database, dropped at the
 * end), the Telegram sandbox in its own process.
 *
 * For each K (default 100, 500, 1000) a fresh `kovan worker` process leases K tenants, each a
 * polling bot (long polls of `--poll-timeout` seconds); a run counts once the worker reports
 * K sessions running and every bot has taken its waiting /start through the pipeline. After
 * `--settle` seconds the worker's RSS is sampled every second for `--window` seconds, with its
 * CPU, PostgreSQL's CPU and transactions/s (an idle session still polls its outbox and its
 * schedules) and the getUpdates calls the sandbox saw (every bot must poll in the window).
 * A worker holding no session gives the baseline. Then P minimal grammY long-polling bots,
 * each its own plain Node process (no tsx), answer one message each and their RSS is taken the
 * same way. Last line on stdout: JSON.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { SecretBox } from '../src/platform/crypto.js';
import { PostgresDatabase, migrate } from '../src/platform/db/index.js';
import { createDatabase } from './bench-database.js';
import {
  backendCpu, backendCpuSpent, botToken, committedTransactions, CpuMeter, freePort, quantile, root, round, rssMb, say, seedTenants, sleep, spawnKovan,
  startSandboxProcess, waitFor, waitHealthy, workDir,
} from './fleet-world.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== 'density'),
  options: {
    sessions: { type: 'string', default: '100,500,1000' },
    'process-bots': { type: 'string', default: '20' },
    'poll-timeout': { type: 'string', default: '5' },
    ttl: { type: 'string', default: '30000' },
    settle: { type: 'string', default: '10' },
    window: { type: 'string', default: '10' },
  },
});
const sizes = values.sessions!.split(',').map((k) => int(k, 'sessions', 1, 5_000));
const processBots = int(values['process-bots']!, 'process-bots', 0, 100);
const pollTimeout = int(values['poll-timeout']!, 'poll-timeout', 1, 50);
const ttlMs = int(values.ttl!, 'ttl', 3_000, 120_000);
const settleMs = Number(values.settle) * 1000;
const windowMs = Number(values.window) * 1000;
if (!(settleMs >= 0 && settleMs <= 120_000 && windowMs >= 2_000 && windowMs <= 120_000)) throw new Error('--settle 0–120, --window 2–120 seconds');
if (!process.env.DATABASE_URL) throw new Error('density needs DATABASE_URL (real PostgreSQL: `kovan worker` processes)');
const maxSessions = Math.max(...sizes);

function int(text: string, name: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name}: an integer ${min}–${max}`);
  return n;
}

const work = workDir('density');
const secretKey = randomBytes(32);
const secrets = new SecretBox(secretKey);
const cleanups: Array<() => Promise<unknown>> = [];

/** RSS samples of a process over the window: median and max, MB. */
async function sampleRss(pids: number[], ms: number): Promise<number[][]> {
  const samples: number[][] = pids.map(() => []);
  const end = Date.now() + ms;
  while (Date.now() < end) {
    pids.forEach((pid, i) => samples[i]!.push(rssMb(pid)));
    await sleep(1000);
  }
  return samples.map((s) => s.filter(Number.isFinite).sort((a, b) => a - b));
}

async function main(): Promise<void> {
  try {
    const scratch = await createDatabase(process.env.DATABASE_URL!);
    cleanups.push(() => scratch.drop());
    const db = new PostgresDatabase({ ownerUrl: scratch.url, poolSize: 4 });
    cleanups.push(() => db.close());
    await migrate(db);
    const owner = <T>(sql: string, params: unknown[] = []) => db.withOwner(async (tx) => (await tx.query<T>(sql, params)).rows);

    const tenants = await seedTenants(db, secrets, Array.from({ length: maxSessions }, () => ({ pool: 'parked', plan: 'basic' as const, mode: 'polling' as const })), 'dn');
    const soloBots = Array.from({ length: processBots }, (_, i) => ({ token: botToken(7_900_000_000 + i), username: `solo${i}_bot` }));
    const sandbox = await startSandboxProcess({
      bots: [...tenants.map((t) => ({ token: t.token, username: t.username })), ...soloBots],
      startsPerBot: [...tenants.map(() => 1), ...soloBots.map(() => 1)],
    }, work);
    cleanups.push(() => sandbox.close());
    say(`seeded ${maxSessions} tenants (Basic, one polling bot each); sandbox at ${sandbox.apiRoot} with ${processBots} more bots for the one-process-per-bot comparison`);

    const baseEnv: Record<string, string> = {
      NODE_ENV: 'production', HOST: '127.0.0.1', LOG_LEVEL: 'warn', DATA_DIR: path.join(work, 'data'), DEMO_MODE: 'off',
      KOVAN_SECRET_KEY: secretKey.toString('base64'), DATABASE_URL: scratch.url, TELEGRAM_API_ROOT: sandbox.apiRoot,
      LEASE_TTL_MS: String(ttlMs), POLL_TIMEOUT_SECONDS: String(pollTimeout),
    };

    /** One worker process on its own pool holding the first k tenants' sessions. */
    const measureWorker = async (k: number) => {
      const pool = `density-${k}`;
      if (k > 0) {
        await owner(`UPDATE tenants SET worker_pool = $1 WHERE id = ANY($2::uuid[])`, [pool, tenants.slice(0, k).map((t) => t.tenantId)]);
        await owner(`SELECT fleet_sync_sessions()`);
      }
      const port = await freePort();
      const startedAt = performance.now();
      const worker = spawnKovan('worker', { ...baseEnv, PORT: String(port), WORKER_POOL: pool, WORKER_CAPACITY: String(k + 10) });
      try {
        await waitHealthy(worker, `http://127.0.0.1:${port}/healthz`);
        const up = await waitFor(async () => {
          if (worker.child.exitCode !== null) throw new Error(`worker exited:\n${worker.output.slice(-20).join('\n')}`);
          const running = await runningSessions(port);
          const processed = (await owner<{ n: number }>(`SELECT count(*)::int AS n FROM processed_updates`))[0]!.n;
          // Runs go up in K over the same first tenants: k bots' /start processed means all of them.
          return running >= k && processed >= k ? { running, processed } : undefined;
        }, 180_000, 500);
        if (!up) throw new Error(`worker did not bring ${k} sessions up within 180 s (running: ${await runningSessions(port)}):\n${worker.output.slice(-20).join('\n')}`);
        const startSeconds = (performance.now() - startedAt) / 1000;
        say(`K=${k}: ${up.running} sessions running, /start of every bot processed (${round(startSeconds)} s after the process started)`);
        await sleep(settleMs);
        await sandbox.clearCalls();
        const windowStart = Date.now();
        const meter = new CpuMeter({ worker: worker.pid, postgres: 'postgres', sandbox: sandbox.pid });
        const xact = await committedTransactions(db);
        const backends = await backendCpu(db);
        const [rss] = await sampleRss([worker.pid], windowMs);
        const cpu = meter.read();
        const windowSeconds = (Date.now() - windowStart) / 1000;
        const thisDbPct = round((backendCpuSpent(backends, await backendCpu(db)) / windowSeconds) * 100, 0);
        const transactionsPerSecond = ((await committedTransactions(db)) - xact) / windowSeconds;
        const polls = (await sandbox.calls('getUpdates')).filter((c) => c.at >= windowStart);
        const polled = new Set(polls.map((c) => c.botId)).size;
        const fenced = worker.output.filter((line) => line.includes('self-fencing')).length;
        const stillRunning = await runningSessions(port);
        const stopStarted = performance.now();
        await worker.stop(60_000);
        const stopSeconds = (performance.now() - stopStarted) / 1000;
        const median = quantile(rss!, 0.5);
        const run = {
          sessions: k, running_at_end: stillRunning, bots_polled_in_window: polled,
          worker_rss_mb: round(median), worker_rss_max_mb: round(rss!.at(-1) ?? NaN),
          worker_cpu_pct_of_core: cpu.worker_pct, postgres_this_db_cpu_pct_of_core: thisDbPct, postgres_all_cpu_pct_of_core: cpu.postgres_pct, sandbox_cpu_pct_of_core: cpu.sandbox_pct, machine_busy_pct: cpu.machine_busy_pct,
          pg_transactions_per_second: round(transactionsPerSecond, 0), get_updates_per_second: round(polls.length / windowSeconds, 0),
          start_seconds: round(startSeconds, 1), graceful_stop_seconds: round(stopSeconds, 1), self_fencing_log_lines: fenced,
        };
        say(`K=${k}: RSS ${run.worker_rss_mb} MB (max ${run.worker_rss_max_mb}), ${polled} of ${k} bots polled in the ${round(windowSeconds)} s window, `
          + `worker CPU ${cpu.worker_pct} % of a core, its database's backends ${thisDbPct} % (all postgres ${cpu.postgres_pct} %), ${run.pg_transactions_per_second} transactions/s, ${run.get_updates_per_second} getUpdates/s; graceful stop ${run.graceful_stop_seconds} s`);
        return run;
      } finally {
        await worker.stop(5_000);
        if (k > 0) await owner(`UPDATE tenants SET worker_pool = 'parked' WHERE worker_pool = $1`, [pool]);
        await owner(`SELECT fleet_sync_sessions()`);
      }
    };

    const baseline = await measureWorker(0);
    say(`baseline: a worker holding no session: ${baseline.worker_rss_mb} MB`);
    const runs = [];
    for (const k of sizes) runs.push(await measureWorker(k));

    // ─── One process per bot: the container-per-tenant design, at its most frugal ─────
    let solo: Record<string, unknown> | null = null;
    if (processBots > 0) {
      const children: ChildProcess[] = [];
      cleanups.push(async () => { for (const child of children) if (child.exitCode === null) child.kill('SIGTERM'); await sleep(500); });
      const ready: Array<Promise<void>> = [];
      for (const bot of soloBots) {
        const child = spawn(process.execPath, ['--input-type=module', '-e', soloBotSource], {
          cwd: root, env: { PATH: process.env.PATH ?? '', BOT_TOKEN: bot.token, API_ROOT: sandbox.apiRoot, POLL_TIMEOUT: String(pollTimeout) }, stdio: ['ignore', 'pipe', 'inherit'],
        });
        children.push(child);
        ready.push(new Promise((resolve, reject) => {
          child.stdout!.on('data', (d) => { if (String(d).includes('ready')) resolve(); });
          child.once('exit', (code) => reject(new Error(`solo bot exited with ${code}`)));
        }));
      }
      await Promise.all(ready);
      const soloIds = new Set(soloBots.map((b) => Number(b.token.split(':')[0])));
      const answered = await waitFor(async () => {
        const replies = (await sandbox.calls('sendMessage')).filter((c) => c.ok && soloIds.has(c.botId));
        return new Set(replies.map((c) => c.botId)).size >= processBots;
      }, 60_000, 500);
      say(`${processBots} one-bot processes polling${answered ? ', each answered its /start' : ' (not all answered their /start!)'}`);
      await sleep(settleMs);
      const meter = new CpuMeter(Object.fromEntries(children.map((c, i) => [`bot${i}`, c.pid!])));
      const samples = await sampleRss(children.map((c) => c.pid!), windowMs);
      const cpu = meter.read();
      const medians = samples.map((s) => quantile(s, 0.5)).sort((a, b) => a - b);
      const total = medians.reduce((a, b) => a + b, 0);
      const cpuTotal = Object.entries(cpu).filter(([k]) => k.startsWith('bot')).reduce((a, [, v]) => a + v, 0);
      solo = {
        processes: processBots, all_answered: Boolean(answered), rss_mb_per_process_median: round(quantile(medians, 0.5)),
        rss_mb_per_process_min: round(medians[0]!), rss_mb_per_process_max: round(medians.at(-1)!), rss_mb_total: round(total),
        cpu_pct_of_core_total: cpuTotal,
        extrapolated_rss_gb: Object.fromEntries(sizes.map((k) => [String(k), round((k * total) / processBots / 1024, 2)])),
      };
      say(`one process per bot: ${solo.rss_mb_per_process_median} MB each (median; ${solo.rss_mb_per_process_min}–${solo.rss_mb_per_process_max}), ${round(total)} MB for ${processBots}`);
      for (const child of children) child.kill('SIGTERM');
    }

    const perSession = runs.map((r) => ({
      ...r,
      mb_per_session: round(r.worker_rss_mb / r.sessions, 3),
      marginal_mb_per_session: round((r.worker_rss_mb - baseline.worker_rss_mb) / r.sessions, 3),
    }));
    // RSS moves ±30 MB with the garbage collector's timing: the slope over the runs is steadier than any one difference.
    const slope = leastSquaresSlope(runs.map((r) => [r.sessions, r.worker_rss_mb] as const));
    say(`worker RSS grows ~${round(slope, 3)} MB per session (least squares over the runs); one process per bot: ${solo?.rss_mb_per_process_median ?? '—'} MB per bot`);
    console.log(JSON.stringify({
      bench: 'density', database: 'postgres', rss_slope_mb_per_session: round(slope, 3), lease_ttl_ms: ttlMs, poll_timeout_seconds: pollTimeout, settle_seconds: settleMs / 1000, window_seconds: windowMs / 1000,
      baseline_worker_rss_mb: baseline.worker_rss_mb, baseline_worker_cpu_pct_of_core: baseline.worker_cpu_pct_of_core,
      runs: perSession,
      per_process_bot: solo,
      cpus: availableParallelism(), load_average_1m: round(loadavg()[0]!, 2),
    }));
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error) => say(`cleanup: ${(error as Error).message}`));
    await rm(work, { recursive: true, force: true });
  }
}

function leastSquaresSlope(points: ReadonlyArray<readonly [number, number]>): number {
  if (points.length < 2) return NaN;
  const mx = points.reduce((a, [x]) => a + x, 0) / points.length;
  const my = points.reduce((a, [, y]) => a + y, 0) / points.length;
  const sxy = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return sxx === 0 ? NaN : sxy / sxx;
}

/** Sessions the worker reports running (its /metrics: kovan_sessions{state="running"}). */
async function runningSessions(port: number): Promise<number> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith('kovan_sessions{state="running"}'));
    return line ? Number(line.split(' ').pop()) : 0;
  } catch {
    return 0;
  }
}

/**
 * The smallest honest bot a container-per-tenant design would run: grammY long polling,
 * one handler, plain Node (ESM, no TypeScript loader), nothing else.
 */
const soloBotSource = `
import { Bot } from 'grammy';
const bot = new Bot(process.env.BOT_TOKEN, { client: { apiRoot: process.env.API_ROOT } });
bot.on('message', (ctx) => ctx.reply('Hello from a bot of its own'));
process.on('SIGTERM', () => { bot.stop().finally(() => process.exit(0)); });
await bot.start({ timeout: Number(process.env.POLL_TIMEOUT), onStart: () => console.log('ready') });
`;

await main();
