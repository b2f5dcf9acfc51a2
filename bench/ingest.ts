/**
 * `npm run bench -- ingest [--tenants N] [--rate R[,R…]] [--seconds S]`: webhook ingress at a
 * fixed rate. Seeds N tenants, each with a webhook-mode bot (sealed token and secret, opaque
 * route id); `--reply-tenants` of them move to Premium (changePlan) with a keyword reply rule,
 * and their sessions run on a real `kovan worker` process (which sets their webhooks at the
 * sandbox). Then an open-loop load generator POSTs Telegram updates to `POST /tg/{routeId}`
 * of a real `kovan api` process at R updates/s (scheduled send times; at most `--connections`
 * in flight over keep-alive), with each bot's secret header. `--reply-share` of the updates are
 * private messages that trigger the rule; the rest go round-robin to the other tenants (half
 * private messages from many people, half group messages).
 *
 * Measured per rate: updates/s answered 200, latency from send to the 200 (p50/p90/p99/max;
 * also from the *scheduled* send time, which shows queueing when the server falls behind),
 * the replies' latency from the update's send to the sendMessage the sandbox answered (its
 * call log's `at`), the API process's RSS and the CPU of every process.
 *
 * Needs DATABASE_URL for the real run (a scratch database is created and dropped; the API and
 * worker run as their own processes; Redis at REDIS_URL or 127.0.0.1:6379, if it answers,
 * carries the API's wake-up to the worker, else the drainer's 1 s idle poll finds replies).
 * Without DATABASE_URL: PGlite, with the API and the worker in this process (PGlite serves one
 * connection), so use a small N and R there. Last line on stdout: JSON.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { changePlan } from '../src/billing/index.js';
import { SecretBox } from '../src/platform/crypto.js';
import { PgliteDatabase, PostgresDatabase, migrate, type Database } from '../src/platform/db/index.js';
import { createReplyRule, replyRuleInput } from '../src/rules/index.js';
import { createTemplate } from '../src/templates/index.js';
import { createDatabase } from './bench-database.js';
import {
  backendCpu, backendCpuSpent, cleanRedis, committedTransactions, CpuMeter, findRedis, freePort, quantile, round, rssMb, say, seedTenants, sleep, spawnKovan,
  startSandboxProcess, waitFor, waitHealthy, workDir, type KovanProcess, type SeededTenant,
} from './fleet-world.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== 'ingest'),
  options: {
    tenants: { type: 'string', default: '1000' },
    /** Updates per second; several, comma-separated, are run one after another on the same world. */
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '30' },
    /** Unmeasured seconds at each rate before the measured ones (JIT, pools, caches). */
    warmup: { type: 'string', default: '5' },
    'reply-tenants': { type: 'string' },
    'reply-share': { type: 'string', default: '0.1' },
    'users-per-reply-tenant': { type: 'string', default: '4' },
    connections: { type: 'string', default: '256' },
    /** The API's DATABASE_POOL_SIZE; the product's default. On the 2-core machine 6 does better (docs/BENCHMARKS.md). */
    'pool-size': { type: 'string', default: '10' },
    /** Write V8 CPU profiles of the API and worker processes into this directory (PostgreSQL runs). */
    profile: { type: 'string' },
  },
});
const tenantCount = int(values.tenants!, 'tenants', 1, 100_000);
const rates = values.rate!.split(',').map((r) => int(r, 'rate', 1, 20_000));
const seconds = Number(values.seconds);
const warmupSeconds = Number(values.warmup);
if (!(seconds > 0 && seconds <= 120) || !(warmupSeconds >= 0 && warmupSeconds <= 30)) throw new Error('--seconds 1–120, --warmup 0–30');
const replyTenantCount = int(values['reply-tenants'] ?? String(Math.min(100, Math.ceil(tenantCount / 10))), 'reply-tenants', 1, Math.min(tenantCount, 2_000));
const replyShare = Number(values['reply-share']);
if (!(replyShare >= 0 && replyShare <= 1)) throw new Error('--reply-share 0–1');
const usersPerReplyTenant = int(values['users-per-reply-tenant']!, 'users-per-reply-tenant', 1, 50);
const connections = int(values.connections!, 'connections', 1, 2_000);
const poolSize = int(values['pool-size']!, 'pool-size', 2, 100);
const realPostgres = Boolean(process.env.DATABASE_URL);
const replyPool = 'shared';
/** Tenants no worker serves here: their sessions would only add idle load (see the density bench). */
const unservedPool = 'bench-unserved';
const replyKeyword = 'price';

function int(text: string, name: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name}: an integer ${min}–${max}`);
  return n;
}

const work = workDir('ingest');
const secretKey = randomBytes(32);
const secrets = new SecretBox(secretKey);
const redisPrefix = `kovan-bench-ingest-${process.pid}:`;
const cleanups: Array<() => Promise<unknown>> = [];
let stopping = false;

async function main(): Promise<void> {
  try {
    // ─── Database and world ─────────────────────────────────────────────────────────
    let db: Database;
    let databaseUrl: string | undefined;
    if (realPostgres) {
      const scratch = await createDatabase(process.env.DATABASE_URL!);
      cleanups.push(() => scratch.drop());
      databaseUrl = scratch.url;
      db = new PostgresDatabase({ ownerUrl: scratch.url, poolSize: 4 });
    } else {
      db = await PgliteDatabase.open();
    }
    cleanups.push(() => db.close());
    await migrate(db);
    say(`database: ${realPostgres ? 'PostgreSQL (scratch database)' : 'PGlite (in memory, in this process)'}`);

    let t0 = performance.now();
    const tenants = await seedTenants(db, secrets, Array.from({ length: tenantCount }, (_, i) => ({
      pool: i < replyTenantCount ? replyPool : unservedPool, plan: 'basic' as const, mode: 'webhook' as const,
    })), 'in');
    const replyTenants = tenants.slice(0, replyTenantCount);
    const otherTenants = tenants.slice(replyTenantCount);
    for (let i = 0; i < replyTenants.length; i += 8) {
      await Promise.all(replyTenants.slice(i, i + 8).map((t) => db.withTenant(t.tenantId, async (tx) => {
        await changePlan(tx, 'premium');
        const template = await createTemplate(tx, { kind: 'reply', name: 'Prices', content: 'Hi {{ first_name }}, our prices are on the website.' });
        await createReplyRule(tx, replyRuleInput.parse({ name: 'Prices', triggerType: 'keyword', trigger: replyKeyword, scope: 'private', templateId: template.id }));
      })));
    }
    say(`seeded ${tenantCount.toLocaleString('en-US')} tenants with webhook bots; ${replyTenantCount} on Premium with a reply rule (${round((performance.now() - t0) / 1000)} s)`);

    const sandbox = await startSandboxProcess({
      bots: tenants.map((t) => ({ token: t.token, username: t.username })),
      startsPerBot: tenants.map((_, i) => (i < replyTenantCount ? usersPerReplyTenant : 0)),
      callLogLimit: 400_000,
    }, work);
    cleanups.push(() => sandbox.close());
    say(`sandbox (own process) at ${sandbox.apiRoot}: ${tenantCount} bots, ${replyTenantCount * usersPerReplyTenant} users started a reply bot`);

    // ─── Kovan: API and worker ──────────────────────────────────────────────────────
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const redisUrl = realPostgres ? await findRedis() : undefined;
    if (redisUrl) cleanups.push(() => cleanRedis(redisUrl, redisPrefix));
    const env: Record<string, string> = {
      NODE_ENV: realPostgres ? 'production' : 'development', HOST: '127.0.0.1', LOG_LEVEL: 'warn', DATA_DIR: path.join(work, 'data'),
      KOVAN_SECRET_KEY: secretKey.toString('base64'), DEMO_MODE: 'off', TELEGRAM_API_ROOT: sandbox.apiRoot, PUBLIC_URL: base,
      DATABASE_POOL_SIZE: String(poolSize), WORKER_POOL: replyPool, WORKER_CAPACITY: String(replyTenantCount * 4 + 100),
      ...(redisUrl ? { REDIS_URL: redisUrl, REDIS_PREFIX: redisPrefix } : {}),
    };
    let apiPid = process.pid;
    let workerPid: number | 'self' = 'self';
    if (realPostgres) {
      const profiling = values.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(values.profile)}`] : [];
      const api = spawnKovan('api', { ...env, PORT: String(port), DATABASE_URL: databaseUrl! }, profiling);
      cleanups.push(() => api.stop());
      await waitHealthy(api, `${base}/healthz`);
      const worker = spawnKovan('worker', { ...env, PORT: String(await freePort()), DATABASE_URL: databaseUrl!, DATABASE_POOL_SIZE: '10' }, profiling);
      cleanups.push(() => worker.stop());
      apiPid = api.pid;
      workerPid = worker.pid;
      watchExit([api, worker]);
      say(`kovan api (pid ${api.pid}) at ${base}; kovan worker (pid ${worker.pid}); wake-ups ${redisUrl ? `through Redis ${redisUrl}` : 'by idle poll (no Redis)'}`);
    } else {
      const { loadConfig } = await import('../src/config.js');
      const { openPlatform } = await import('../src/platform/index.js');
      const { serveApi } = await import('../src/roles/api.js');
      const { createWorker } = await import('../src/roles/worker.js');
      const platform = await openPlatform(loadConfig({ ...env, PORT: String(port) }), { db });
      const api = await serveApi(platform);
      const worker = createWorker(platform);
      await worker.start();
      cleanups.push(async () => { await api.stop(); await worker.stop(); await platform.cache.close(); });
      say(`kovan API and worker in this process at ${base}`);
    }

    // The reply tenants' sessions set their webhooks; the sandbox then pushes the users' /start.
    const starts = replyTenantCount * usersPerReplyTenant;
    t0 = performance.now();
    const started = await waitFor(async () => (await processedUpdates(db)) >= starts, 180_000, 500);
    if (!started) throw new Error(`the reply tenants' sessions did not come up: ${await processedUpdates(db)} of ${starts} /start updates processed`);
    say(`sessions up: ${replyTenantCount} webhooks set, ${starts} /start updates arrived through the sandbox's webhook deliveries (${round((performance.now() - t0) / 1000)} s)`);

    // ─── Load ───────────────────────────────────────────────────────────────────────
    const generator = new UpdateStream(replyTenants, otherTenants, sandbox.users, replyShare);
    const steps: StepResult[] = [];
    for (const rate of rates) {
      if (warmupSeconds > 0) {
        say(`rate ${rate}/s: warming up ${warmupSeconds} s`);
        await runOpenLoop(port, generator, rate, warmupSeconds, connections);
      }
      say(`rate ${rate}/s: measuring ${seconds} s`);
      const rss: number[] = [];
      const sampler = setInterval(() => rss.push(rssMb(apiPid)), 1000);
      const meter = new CpuMeter(workerPid === 'self'
        ? { api_worker_loadgen: 'self', sandbox: sandbox.pid, postgres: 'postgres' }
        : { api: apiPid, worker: workerPid, sandbox: sandbox.pid, loadgen: 'self', postgres: 'postgres' });
      const xactBefore = realPostgres ? await committedTransactions(db) : 0;
      const backendsBefore = realPostgres ? await backendCpu(db) : new Map<number, number>();
      const loadStarted = performance.now();
      const load = await runOpenLoop(port, generator, rate, seconds, connections);
      clearInterval(sampler);
      const cpu = meter.read();
      if (realPostgres) cpu.postgres_this_db_pct = round((backendCpuSpent(backendsBefore, await backendCpu(db)) / ((performance.now() - loadStarted) / 1000)) * 100, 0);
      const xact = realPostgres ? (await committedTransactions(db)) - xactBefore : NaN;
      rss.push(rssMb(apiPid));
      const step: StepResult = { rate, load, cpu, apiRssMb: rss, pgTransactionsPerSecond: xact / load.durationSeconds };
      steps.push(step);
      say(`rate ${rate}/s: ${load.okPerSecond} updates/s answered 200 (${load.ok} ok, ${load.non200} non-200, ${load.errors} errors, ${load.late} sent late, ${load.notSent} never sent), `
        + `latency p50 ${load.p50} ms, p99 ${load.p99} ms, max ${load.max} ms (from schedule: p99 ${load.scheduledP99} ms); API RSS ${round(Math.max(...rss))} MB; `
        + `CPU % of a core: ${Object.entries(cpu).map(([k, v]) => `${k.replace(/_pct$/, '')} ${v}`).join(', ')}`);
    }

    // ─── Replies: each reply update's message_id comes back as reply_parameters.message_id ───
    const expected = steps.flatMap((s) => s.load.replies);
    t0 = performance.now();
    let answered = new Map<number, number>();
    await waitFor(async () => {
      answered = repliesByMessageId(await sandbox.calls('sendMessage'));
      return expected.every((r) => answered.has(r.messageId));
    }, 60_000, 1000);
    say(`replies: ${expected.filter((r) => answered.has(r.messageId)).length} of ${expected.length} handed to the sandbox`);
    const sandboxStats = await sandbox.stats();

    const results = steps.map((s) => {
      const fromSend = s.load.replies.filter((r) => answered.has(r.messageId)).map((r) => answered.get(r.messageId)! - r.sentAt).sort((a, b) => a - b);
      const rss = s.apiRssMb.filter(Number.isFinite);
      return {
        target_rate: s.rate,
        updates_per_second: s.load.okPerSecond,
        sent: s.load.sent, not_sent_backlog: s.load.notSent, ok: s.load.ok, non200: s.load.non200, errors: s.load.errors, sent_late: s.load.late,
        latency_ms: { p50: s.load.p50, p90: s.load.p90, p99: s.load.p99, max: s.load.max, p99_from_schedule: s.load.scheduledP99 },
        replies: {
          expected: s.load.replies.length, handed_to_sandbox: fromSend.length,
          from_update_sent_ms: { p50: round(quantile(fromSend, 0.5)), p99: round(quantile(fromSend, 0.99)), max: round(fromSend.at(-1) ?? NaN) },
        },
        api_rss_mb: { max: round(Math.max(...rss)), end: round(rss.at(-1) ?? NaN) },
        cpu_pct_of_one_core: s.cpu,
        pg_transactions_per_second: Number.isFinite(s.pgTransactionsPerSecond) ? round(s.pgTransactionsPerSecond, 0) : null,
      };
    });
    const last = results.at(-1)!;
    console.log(JSON.stringify({
      bench: 'ingest', database: realPostgres ? 'postgres' : 'pglite',
      processes: realPostgres ? 'kovan api + kovan worker + sandbox + load generator, each its own process' : 'API, worker and load generator in one process (PGlite); sandbox its own',
      tenants: tenantCount, reply_tenants: replyTenantCount, reply_share: replyShare, seconds_per_rate: seconds, warmup_seconds: warmupSeconds,
      connections, api_db_pool: poolSize, wake_ups: redisUrl ? 'redis' : realPostgres ? 'idle poll' : 'in-process',
      cpus: availableParallelism(), load_average_1m: round(loadavg()[0]!, 2), sandbox_429s: sandboxStats.rateLimitHits,
      results,
      goal: { tenants: 10_000, rate: 1000, p99_ms: 50, met: tenantCount >= 10_000 && last.target_rate >= 1000 && last.updates_per_second >= 0.98 * last.target_rate && last.latency_ms.p99 <= 50 },
    }));
  } finally {
    stopping = true;
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error) => say(`cleanup: ${(error as Error).message}`));
    await rm(work, { recursive: true, force: true });
  }
}

// ─── Helpers ──────────────────────────────────────────────────────────────────────

interface StepResult {
  rate: number;
  load: LoadResult;
  cpu: Record<string, number>;
  apiRssMb: number[];
  pgTransactionsPerSecond: number;
}

function watchExit(processes: KovanProcess[]): void {
  for (const p of processes) {
    void p.exited.then((code) => {
      if (!stopping) say(`kovan ${p.role} exited unexpectedly (${code}):\n${p.output.slice(-20).join('\n')}`);
    });
  }
}

async function processedUpdates(db: Database): Promise<number> {
  return db.withOwner(async (tx) => Number((await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM processed_updates`)).rows[0]!.n));
}

function repliesByMessageId(calls: Array<{ ok: boolean; params: Record<string, unknown>; at: number }>): Map<number, number> {
  const byId = new Map<number, number>();
  for (const call of calls) {
    if (!call.ok) continue;
    let reply = call.params.reply_parameters as { message_id?: number } | string | undefined;
    if (typeof reply === 'string') reply = JSON.parse(reply) as { message_id?: number };
    const id = Number(reply?.message_id);
    if (Number.isFinite(id) && !byId.has(id)) byId.set(id, call.at);
  }
  return byId;
}

/** One update to POST: where, with which secret, and whether it should cause a reply. */
interface Outgoing {
  routeId: string;
  secret: string;
  body: string;
  messageId: number;
  reply: boolean;
}

/**
 * The updates, in order: every (1/replyShare)-th a private "price?" message from one of a
 * reply tenant's started users (tenants and users in rotation, so a chat sees one every few
 * seconds — under Telegram's 1/s per chat); the rest round-robin over the other tenants.
 * Update ids and message ids are unique and far from the sandbox's own.
 */
class UpdateStream {
  #n = 0;
  #replies = 0;
  #others = 0;
  readonly #every: number;

  constructor(readonly replyTenants: SeededTenant[], readonly otherTenants: SeededTenant[], readonly users: number[][], share: number) {
    this.#every = share > 0 ? Math.max(1, Math.round(1 / share)) : Infinity;
  }

  next(): Outgoing {
    const n = this.#n++;
    const updateId = 2_000_000_000 + n;
    const messageId = 1_000_000 + n;
    const date = Math.floor(Date.now() / 1000);
    if (n % this.#every === 0 || this.otherTenants.length === 0) {
      const r = this.#replies++;
      const tenant = this.replyTenants[r % this.replyTenants.length]!;
      const people = this.users[tenant.index]!;
      const userId = people[Math.floor(r / this.replyTenants.length) % people.length]!;
      const isReply = n % this.#every === 0;
      const person = { id: userId, is_bot: false, first_name: 'User' };
      const message = { message_id: messageId, date, chat: { id: userId, type: 'private', first_name: 'User' }, from: person, text: isReply ? `what is the ${replyKeyword}?` : `hello ${n}` };
      return { routeId: tenant.routeId, secret: tenant.webhookSecret, body: JSON.stringify({ update_id: updateId, message }), messageId, reply: isReply };
    }
    const o = this.#others++;
    const tenant = this.otherTenants[o % this.otherTenants.length]!;
    const person = { id: 5_000_000_000 + (o % 20_000), is_bot: false, first_name: `Person${o % 20_000}`, username: `person${o % 20_000}` };
    const chat = o % 2 === 0
      ? { id: person.id, type: 'private', first_name: person.first_name, username: person.username }
      : { id: -1_000_000_000_000 - tenant.index, type: 'supergroup', title: `Bench group ${tenant.index}` };
    const message = { message_id: messageId, date, chat, from: person, text: `hello from ${person.first_name}, message ${n}` };
    return { routeId: tenant.routeId, secret: tenant.webhookSecret, body: JSON.stringify({ update_id: updateId, message }), messageId, reply: false };
  }
}

interface LoadResult {
  sent: number;
  /** Due within the run but never sent: all connections were busy until the end (the server fell behind). */
  notSent: number;
  ok: number;
  non200: number;
  errors: number;
  /** Sends that left more than 5 ms after their scheduled time (connections all busy, or a stalled loop). */
  late: number;
  durationSeconds: number;
  okPerSecond: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  scheduledP99: number;
  /** Reply updates answered 200 (not duplicates) and when they were sent (epoch ms). */
  replies: Array<{ messageId: number; sentAt: number }>;
}

/**
 * Open loop: update i is due at start + i/rate; whatever is due is sent at once unless
 * `connections` requests are already in flight (then it goes out late, and the latency from
 * its scheduled time shows the wait). Bounded: sending stops after `seconds` (what was due
 * but could not go out is reported as backlog), then in-flight answers get up to 30 s.
 */
async function runOpenLoop(port: number, stream: UpdateStream, rate: number, seconds: number, maxInFlight: number): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: maxInFlight });
  const total = Math.round(rate * seconds);
  const latencies: number[] = [];
  const fromSchedule: number[] = [];
  const replies: LoadResult['replies'] = [];
  let ok = 0, non200 = 0, errors = 0, late = 0, inFlight = 0, lastAnswer = 0;
  const pending = new Set<Promise<void>>();

  const fire = (scheduledAt: number) => {
    const update = stream.next();
    const sentAt = performance.now();
    const sentWall = Date.now();
    if (sentAt - scheduledAt > 5) late++;
    inFlight++;
    const done = new Promise<void>((resolve) => {
      const request = http.request({
        host: '127.0.0.1', port, method: 'POST', path: `/tg/${update.routeId}`, agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(update.body), 'x-telegram-bot-api-secret-token': update.secret },
      }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => { text += chunk; });
        response.on('end', () => {
          const now = performance.now();
          lastAnswer = now;
          latencies.push(now - sentAt);
          fromSchedule.push(now - scheduledAt);
          if (response.statusCode === 200) {
            ok++;
            if (update.reply && !text.includes('"duplicate":true')) replies.push({ messageId: update.messageId, sentAt: sentWall });
          } else {
            non200++;
            if (non200 <= 3) say(`  ${response.statusCode}: ${text.slice(0, 200)}`);
          }
          resolve();
        });
        response.on('error', () => { errors++; resolve(); });
      });
      request.setTimeout(30_000, () => request.destroy(new Error('timeout')));
      request.on('error', (error) => {
        errors++;
        if (errors <= 3) say(`  request error: ${error.message}`);
        resolve();
      });
      request.end(update.body);
    }).finally(() => { inFlight--; pending.delete(done); });
    pending.add(done);
  };

  const start = performance.now();
  const interval = 1000 / rate;
  let next = 0;
  // Nothing is sent after the run's time: what the server could not take by then is backlog, not load.
  const stopSending = start + seconds * 1000;
  while (next < total && performance.now() < stopSending) {
    const now = performance.now();
    const due = Math.min(total, Math.floor((now - start) / interval) + 1);
    while (next < due && inFlight < maxInFlight) fire(start + next++ * interval);
    await sleep(1);
  }
  await Promise.race([Promise.all(pending), sleep(35_000)]);
  agent.destroy();
  const durationSeconds = Math.max(seconds, (lastAnswer - start) / 1000);
  latencies.sort((a, b) => a - b);
  fromSchedule.sort((a, b) => a - b);
  const r2 = (x: number) => round(x, 2);
  return {
    sent: next, notSent: total - next, ok, non200, errors, late, durationSeconds: r2(durationSeconds), okPerSecond: round(ok / durationSeconds, 0),
    p50: r2(quantile(latencies, 0.5)), p90: r2(quantile(latencies, 0.9)), p99: r2(quantile(latencies, 0.99)), max: r2(latencies.at(-1) ?? NaN),
    scheduledP99: r2(quantile(fromSchedule, 0.99)), replies,
  };
}

await main();
