/**
 * Shared by the fleet benchmarks (ingest, failover, density): tenants and bots seeded in bulk
 * with real sealed tokens, the sandbox in its own process, real `kovan api` / `kovan worker`
 * processes, and the few measurements they report (RSS and CPU from /proc, percentiles).
 * Everything listens on and talks to 127.0.0.1 only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { ApiCall } from '../src/sandbox/index.js';
import type { SecretBox } from '../src/platform/crypto.js';
import type { Database } from '../src/platform/db/index.js';
import type { FleetSandboxWorld } from './fleet-sandbox.js';

export const root = path.resolve(import.meta.dirname, '..');

/** Progress for people: stderr, so stdout carries only the final JSON line. */
export function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

export function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** The q-quantile of ascending `sorted` (nearest rank); NaN when empty. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` every `everyMs` until it returns something truthy; undefined when the time runs out. */
export async function waitFor<T>(check: () => Promise<T | undefined | null | false>, timeoutMs: number, everyMs = 200): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) return undefined;
    await sleep(everyMs);
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const port = (probe.address() as { port: number }).port;
      probe.close(() => resolve(port));
    }).on('error', reject);
  });
}

export function workDir(name: string): string {
  return mkdtempSync(path.join(tmpdir(), `kovan-bench-${name}-`));
}

// ─── Tenants and bots ─────────────────────────────────────────────────────────────

export interface SeedSpec {
  pool: string;
  plan: 'basic' | 'advanced' | 'premium' | 'enterprise';
  mode: 'polling' | 'webhook';
}

export interface SeededTenant {
  index: number;
  tenantId: string;
  botId: string;
  telegramBotId: number;
  username: string;
  token: string;
  routeId: string;
  webhookSecret: string;
}

/** A token in Telegram's shape with a chosen bot id. */
export function botToken(telegramBotId: number): string {
  return `${telegramBotId}:${randomBytes(30).toString('base64url').slice(0, 35)}`;
}

/**
 * Tenants, their live subscriptions and one bot each, written in bulk as the schema owner
 * (thousands of connect flows would spend minutes in getMe). The bot rows are what
 * connectBot writes: token and webhook secret sealed under the tenant id with the same key
 * the Kovan processes get, an opaque route id — so the webhook ingress and the sessions
 * open them exactly as they open a connected bot.
 */
export async function seedTenants(db: Database, secrets: SecretBox, specs: readonly SeedSpec[], label: string, firstBotId = 7_100_000_000): Promise<SeededTenant[]> {
  const tenants: SeededTenant[] = specs.map((_, index) => {
    const telegramBotId = firstBotId + index;
    return {
      index, tenantId: randomUUID(), botId: randomUUID(), telegramBotId, username: `${label}${index}_bot`,
      token: botToken(telegramBotId), routeId: randomBytes(18).toString('base64url'), webhookSecret: randomBytes(32).toString('base64url'),
    };
  });
  const chunk = 2_000;
  for (let from = 0; from < tenants.length; from += chunk) {
    const part = tenants.slice(from, from + chunk);
    const spec = (t: SeededTenant) => specs[t.index]!;
    await db.withOwner(async (tx) => {
      await tx.query(`INSERT INTO tenants (id, name, worker_pool) SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[])`,
        [part.map((t) => t.tenantId), part.map((t) => `Bench ${label} ${t.index}`), part.map((t) => spec(t).pool)]);
      await tx.query(
        `INSERT INTO subscriptions (tenant_id, plan_code, status, current_period_end)
         SELECT t, p, 'active', now() + interval '30 days' FROM unnest($1::uuid[], $2::text[]) AS x(t, p)`,
        [part.map((t) => t.tenantId), part.map((t) => spec(t).plan)]);
      await tx.query(
        `INSERT INTO bots (tenant_id, id, telegram_bot_id, username, first_name, token_sealed, token_hint, can_read_all_group_messages,
                           mode, route_id, webhook_secret_sealed)
         SELECT tenant, id, tg, username, username, token_sealed, hint, true, mode, route, secret
           FROM unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
             AS x(tenant, id, tg, username, token_sealed, hint, mode, route, secret)`,
        [part.map((t) => t.tenantId), part.map((t) => t.botId), part.map((t) => t.telegramBotId), part.map((t) => t.username),
          part.map((t) => secrets.seal(t.token, t.tenantId)), part.map((t) => `${t.telegramBotId}:…${t.token.slice(-4)}`),
          part.map((t) => spec(t).mode), part.map((t) => t.routeId), part.map((t) => secrets.seal(t.webhookSecret, t.tenantId))]);
    });
  }
  await db.withOwner((tx) => tx.exec('ANALYZE tenants; ANALYZE subscriptions; ANALYZE bots;'));
  return tenants;
}

// ─── The sandbox process ──────────────────────────────────────────────────────────

export interface SandboxProcess {
  apiRoot: string;
  pid: number;
  /** Users who started bot i, per bot. */
  users: number[][];
  calls(method: string): Promise<ApiCall[]>;
  clearCalls(): Promise<void>;
  stats(): Promise<{ rateLimitHits: number }>;
  close(): Promise<void>;
}

/** Starts bench/fleet-sandbox.ts with this world and waits for its first line. */
export async function startSandboxProcess(world: FleetSandboxWorld, work: string): Promise<SandboxProcess> {
  const file = path.join(work, 'sandbox-world.json');
  writeFileSync(file, JSON.stringify(world));
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'fleet-sandbox.ts'), file], {
    cwd: root, stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<{ apiRoot: string; users: number[][] }>((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (data) => {
      buffer += String(data);
      const end = buffer.indexOf('\n');
      if (end >= 0) resolve(JSON.parse(buffer.slice(0, end)));
    });
    child.once('exit', (code) => reject(new Error(`sandbox process exited with ${code}`)));
  });
  return {
    ...ready,
    pid: child.pid!,
    async calls(method) {
      return (await (await fetch(`${ready.apiRoot}/sandbox/calls?method=${method}`)).json()) as ApiCall[];
    },
    async clearCalls() {
      await fetch(`${ready.apiRoot}/sandbox/calls`, { method: 'DELETE' });
    },
    async stats() {
      return (await (await fetch(`${ready.apiRoot}/sandbox/stats`)).json()) as { rateLimitHits: number };
    },
    async close() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await Promise.race([exited, sleep(5_000)]);
    },
  };
}

// ─── Kovan processes ──────────────────────────────────────────────────────────────

export interface KovanProcess {
  role: string;
  child: ChildProcess;
  pid: number;
  /** The last lines it printed (stdout and stderr), for a failure report. */
  output: string[];
  exited: Promise<number | null>;
  /** SIGTERM (graceful drain), then wait; SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL: a crash, no cleanup at all. */
  kill(): Promise<void>;
}

/** Starts `kovan <role>` (bin/kovan.js, as deployed) with exactly this environment plus PATH; `nodeArgs` go to node (e.g. --cpu-prof). */
export function spawnKovan(role: 'api' | 'worker', env: Record<string, string>, nodeArgs: string[] = []): KovanProcess {
  const child = spawn(process.execPath, [...nodeArgs, path.join(root, 'bin/kovan.js'), role], {
    cwd: root, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const keep = (data: Buffer) => {
    output.push(...String(data).split('\n').filter(Boolean));
    if (output.length > 200) output.splice(0, output.length - 200);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    role, child, pid: child.pid!, output, exited,
    async stop(graceMs = 20_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const done = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]);
      if (!done) {
        child.kill('SIGKILL');
        await exited;
      }
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Waits until `url` answers 200 (or the process exits, or the time runs out). */
export async function waitHealthy(process_: KovanProcess, url: string, timeoutMs = 60_000): Promise<void> {
  let exited = false;
  void process_.exited.then(() => { exited = true; });
  const ok = await waitFor(async () => {
    if (exited) throw new Error(`kovan ${process_.role} exited:\n${process_.output.slice(-20).join('\n')}`);
    try {
      return (await fetch(url)).status === 200;
    } catch {
      return false;
    }
  }, timeoutMs, 200);
  if (!ok) throw new Error(`kovan ${process_.role} not healthy at ${url} within ${timeoutMs} ms:\n${process_.output.slice(-20).join('\n')}`);
}

// ─── Redis (optional: wakes a worker process when the API process enqueued) ─────────

/** REDIS_URL, or a local Redis on the default port if one answers; undefined otherwise. */
export async function findRedis(): Promise<string | undefined> {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1_000, retryStrategy: () => null });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG' ? url : undefined;
  } catch {
    return undefined;
  } finally {
    client.disconnect();
  }
}

/** Deletes every key under the benchmark's own prefix. */
export async function cleanRedis(url: string, prefix: string): Promise<void> {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  client.on('error', () => {});
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await client.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } catch {
    // best effort
  } finally {
    client.disconnect();
  }
}

// ─── /proc measurements ───────────────────────────────────────────────────────────

/** Resident set size of a process, in MB (MiB); NaN when it is gone. */
export function rssMb(pid: number): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
    return line ? Number(line.split(/\s+/)[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

const clockTicksPerSecond = 100;

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond;
  } catch {
    return NaN;
  }
}

/** CPU seconds used by every process named `postgres` (the server is shared: other work counts too). */
export function postgresCpuSeconds(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) !== 'postgres') continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond;
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}

/** Whole-machine CPU: busy and total jiffies from /proc/stat, to report how busy the box was. */
export function machineCpu(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  const total = fields.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** CPU use over an interval, in % of one core, for named processes (and the machine in %). */
export class CpuMeter {
  readonly #start = new Map<string, number>();
  readonly #startMachine = machineCpu();
  readonly #startedAt = performance.now();

  constructor(readonly pids: Record<string, number | 'postgres' | 'self'>) {
    for (const [name, pid] of Object.entries(pids)) this.#start.set(name, this.#read(pid));
  }

  #read(pid: number | 'postgres' | 'self'): number {
    if (pid === 'postgres') return postgresCpuSeconds();
    if (pid === 'self') {
      const usage = process.cpuUsage();
      return (usage.user + usage.system) / 1e6;
    }
    return cpuSeconds(pid);
  }

  /** % of one core per process since construction, plus `machine_busy_pct` (of all cores). */
  read(): Record<string, number> {
    const seconds = (performance.now() - this.#startedAt) / 1000;
    const out: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.pids)) out[`${name}_pct`] = round(((this.#read(pid) - this.#start.get(name)!) / seconds) * 100, 0);
    const machine = machineCpu();
    out.machine_busy_pct = round(((machine.busy - this.#startMachine.busy) / Math.max(1, machine.total - this.#startMachine.total)) * 100, 0);
    return out;
  }
}

/** Committed transactions of one database so far (pg_stat_database). */
export async function committedTransactions(db: Database): Promise<number> {
  return db.withOwner(async (tx) => Number((await tx.query<{ n: number }>(`SELECT xact_commit AS n FROM pg_stat_database WHERE datname = current_database()`)).rows[0]?.n ?? 0));
}

/** CPU seconds so far of every PostgreSQL backend connected to this database, by pid. */
export async function backendCpu(db: Database): Promise<Map<number, number>> {
  const pids = await db.withOwner(async (tx) => (await tx.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`)).rows.map((r) => r.pid));
  return new Map(pids.map((pid) => [pid, cpuSeconds(pid)]));
}

/** CPU seconds this database's backends used between two readings (a backend that appeared in between counts whole). */
export function backendCpuSpent(before: Map<number, number>, after: Map<number, number>): number {
  let spent = 0;
  for (const [pid, seconds] of after) if (Number.isFinite(seconds)) spent += seconds - (before.get(pid) ?? 0);
  return spent;
}
