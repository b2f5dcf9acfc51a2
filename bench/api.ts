/**
 * `npm run bench -- api [--rows N] [--concurrency N] [--seconds N]`: seeds one tenant with
 * ten million history rows (generated in SQL with generate_series, not inserted one by one),
 * the daily rollups that go with them, 50 000 people and 20 groups; starts `kovan api` as its
 * own process on that database; and measures, at fixed concurrency over keep-alive
 * connections, GET /api/dashboard/stats, the first page of GET /api/messages/history, and a
 * page behind a deep cursor (~300 days back). The last line is JSON with p50/p99 and
 * requests/s per endpoint.
 *
 * Needs DATABASE_URL (real PostgreSQL; a scratch database is created and dropped). Without
 * it the run uses PGlite with 200 000 rows, which shows the shape, not the speed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { encodeCursor } from '../src/http/pagination.js';
import type { Database } from '../src/platform/db/index.js';
import { openBenchDatabase } from './bench-database.js';
import { runLoad, type LoadResult } from './http-load.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== 'api'),
  options: {
    rows: { type: 'string' },
    /** One or more fixed concurrencies, comma-separated: each endpoint is measured at each. */
    concurrency: { type: 'string', default: '1,10' },
    seconds: { type: 'string', default: '10' },
    /** Keep the seeded PostgreSQL database (its URL is printed) to look at query plans. */
    keep: { type: 'boolean', default: false },
  },
});
const realPostgres = Boolean(process.env.DATABASE_URL);
const rows = Number(values.rows ?? (realPostgres ? 10_000_000 : 200_000));
const concurrencies = values.concurrency!.split(',').map(Number);
if (concurrencies.some((c) => !Number.isInteger(c) || c < 1 || c > 256)) throw new Error('--concurrency: integers 1–256, comma-separated');
const concurrency = Math.max(...concurrencies);
const durationMs = Number(values.seconds) * 1000;
const groups = 20;
const people = 50_000;
/** Rows are spread evenly over this many days back from now. */
const spanDays = 360;

const root = path.resolve(import.meta.dirname, '..');
const work = mkdtempSync(path.join(tmpdir(), 'kovan-bench-api-'));
const log = (line: string) => console.log(line);

const bench = await openBenchDatabase(work);
let stopServer: (() => Promise<void>) | undefined;
try {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env, NODE_ENV: 'development', PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', DATA_DIR: path.join(work, 'data'),
    KOVAN_SECRET_KEY: Buffer.alloc(32, 9).toString('base64'), DEMO_MODE: 'off', DATABASE_POOL_SIZE: String(Math.max(4, concurrency)),
  };
  stopServer = bench.location.kind === 'postgres'
    ? await startServerProcess({ ...env, DATABASE_URL: bench.location.ownerUrl })
    : await startServerInProcess(env, bench.db);
  const base = `http://127.0.0.1:${port}`;
  const session = await register(base);
  const seeded = await seed(bench.db, session.tenantId);
  const headers = { authorization: `Bearer ${session.token}` };

  const deep = await deepCursor(bench.db, session.tenantId);
  const targets: Record<string, string> = {
    dashboard_stats: `${base}/api/dashboard/stats`,
    history_first_page: `${base}/api/messages/history?limit=50`,
    history_deep_cursor: `${base}/api/messages/history?limit=50&start_date=${deep.startDate}&cursor=${deep.cursor}`,
  };
  for (const [name, url] of Object.entries(targets)) {
    const check = await fetch(url, { headers });
    const body = await check.json() as { items?: unknown[]; totals?: unknown };
    if (check.status !== 200) throw new Error(`${name}: ${check.status} ${JSON.stringify(body)}`);
    log(`${name}: ok (${body.items ? `${body.items.length} rows` : 'stats'})`);
  }
  const results: Record<string, Record<string, LoadResult>> = {};
  for (const c of concurrencies) {
    for (const [name, url] of Object.entries(targets)) {
      const r = await runLoad({ url, headers, concurrency: c, durationMs });
      (results[name] ??= {})[`c${c}`] = r;
      log(`${name} @ concurrency ${c}: ${r.requestsPerSecond} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, max ${r.max} ms (${r.requests} requests, ${r.non2xx} non-2xx, ${r.errors} errors)`);
    }
  }
  const statsP99 = results.dashboard_stats?.[`c${concurrencies[0]}`]?.p99 ?? Infinity;
  console.log(JSON.stringify({
    benchmark: 'api', database: bench.kind, server: bench.kind === 'postgres' ? 'separate process' : 'in process',
    historyRows: rows, seedSeconds: seeded.seconds, concurrency: concurrencies, secondsPerRun: durationMs / 1000, cpus: availableParallelism(), loadAverage: loadavg()[0],
    endpoints: Object.fromEntries(Object.entries(results).map(([name, byConcurrency]) => [name, Object.fromEntries(Object.entries(byConcurrency).map(([c, r]) => [c,
      { p50_ms: r.p50, p99_ms: r.p99, requests_per_second: r.requestsPerSecond, requests: r.requests, non2xx: r.non2xx, errors: r.errors }]))])),
    goal: { dashboard_stats_p99_ms: 10, at_concurrency: concurrencies[0], measured_p99_ms: statsP99, met: statsP99 <= 10 },
  }));
} finally {
  await stopServer?.();
  if (values.keep && bench.location.kind === 'postgres') {
    log(`kept database: ${bench.location.ownerUrl}`);
    await bench.db.close();
  } else {
    await bench.close();
  }
  await rm(work, { recursive: true, force: true });
}

/**
 * Seeds the tenant as the schema owner, all in SQL: history rows spread over `spanDays`
 * (a quarter outgoing, 20 groups, 50 000 people), then the rollups computed from them the
 * way the pipeline would have kept them, then ANALYZE.
 */
async function seed(db: Database, tenantId: string): Promise<{ seconds: number }> {
  const started = performance.now();
  const botId = randomUUID();
  await db.withOwner(async (tx) => {
    await tx.query(`UPDATE subscriptions SET plan_code = 'premium', status = 'active' WHERE tenant_id = $1`, [tenantId]);
    await tx.query(
      `INSERT INTO bots (tenant_id, id, telegram_bot_id, username, first_name, token_sealed, token_hint, route_id, webhook_secret_sealed)
       VALUES ($1, $2, 7000000001, 'bench_bot', 'Bench', 'x', '7000000001:…bench', $3, 'x')`, [tenantId, botId, randomUUID()]);
    await tx.query(
      `INSERT INTO groups (tenant_id, bot_id, chat_id, type, title, bot_status)
       SELECT $1, $2, -1001000000000 - g, 'supergroup', 'Group ' || g, 'administrator' FROM generate_series(1, $3) AS g`, [tenantId, botId, groups]);
    await tx.query(
      `INSERT INTO tg_users (tenant_id, user_id, first_name, first_seen_at, last_seen_at, message_count)
       SELECT $1, 100000 + u, 'Person ' || u, now() - (u % $3) * interval '1 day', now() - (u % 7) * interval '1 day', u % 50
         FROM generate_series(1, $2) AS u`, [tenantId, people, spanDays]);
  });
  log(`seeded tenant, bot, ${groups} groups, ${people.toLocaleString('en-US')} people`);
  const chunk = 1_000_000;
  const step = (spanDays * 86_400) / rows; // seconds between rows
  for (let from = 1; from <= rows; from += chunk) {
    const to = Math.min(rows, from + chunk - 1);
    const t0 = performance.now();
    await db.withOwner((tx) => tx.query(
      `INSERT INTO messages (tenant_id, bot_id, chat_id, chat_type, telegram_message_id, user_id, direction, kind, text, status, at)
       SELECT $1, $2, -1001000000000 - (1 + i % $5), 'supergroup', i, 100000 + 1 + (i * 7919) % $6,
              CASE WHEN i % 4 = 0 THEN 'out' ELSE 'in' END,
              CASE WHEN i % 4 = 0 THEN 'reply' WHEN i % 50 = 1 THEN 'join' ELSE 'text' END,
              'Message number ' || i || ' about prices and plans',
              CASE WHEN i % 4 = 0 THEN (CASE WHEN i % 400 = 0 THEN 'failed' ELSE 'sent' END) ELSE 'received' END,
              now() - (i * $7::double precision) * interval '1 second'
         FROM generate_series($3::bigint, $4::bigint) AS i`,
      [tenantId, botId, from, to, groups, people, step]));
    log(`history: ${to.toLocaleString('en-US')} / ${rows.toLocaleString('en-US')} rows (${((to - from + 1) / ((performance.now() - t0) / 1000)).toFixed(0)} rows/s)`);
  }
  await db.withOwner(async (tx) => {
    await tx.query(
      `INSERT INTO stats_daily (tenant_id, day, chat_id, messages_in, messages_out, joins, deliveries_failed)
       SELECT $1, (at AT TIME ZONE 'UTC')::date, chat_id,
              count(*) FILTER (WHERE direction = 'in' AND kind <> 'join'), count(*) FILTER (WHERE status = 'sent'),
              count(*) FILTER (WHERE kind = 'join'), count(*) FILTER (WHERE status = 'failed')
         FROM messages WHERE tenant_id = $1 GROUP BY 2, 3`, [tenantId]);
    await tx.query(
      `INSERT INTO stats_daily (tenant_id, day, chat_id, messages_in, messages_out, joins, deliveries_failed, new_users, active_users)
       SELECT $1, s.day, 0, sum(messages_in), sum(messages_out), sum(joins), sum(deliveries_failed),
              (SELECT count(*) FROM tg_users u WHERE u.tenant_id = $1 AND (u.first_seen_at AT TIME ZONE 'UTC')::date = s.day),
              least($2, sum(messages_in))
         FROM stats_daily s WHERE s.tenant_id = $1 AND s.chat_id <> 0 GROUP BY s.day`, [tenantId, people]);
  });
  await db.withOwner((tx) => tx.exec('ANALYZE messages; ANALYZE stats_daily; ANALYZE tg_users; ANALYZE groups;'));
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  log(`rollups and ANALYZE done; seeding took ${seconds} s`);
  return { seconds };
}

/** Registers the benchmark's tenant and owner through the API: a real session, as a customer has. */
async function register(base: string): Promise<{ token: string; tenantId: string }> {
  const username = `bench${process.pid}`;
  const r = await fetch(`${base}/api/auth/register`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, email: `${username}@example.test`, password: 'correct horse battery staple' }),
  });
  const body = await r.json() as { token: string; tenantId: string };
  if (r.status !== 201) throw new Error(`register: ${r.status} ${JSON.stringify(body)}`);
  return body;
}

/** A cursor ~300 days back, as a client paging that far would hold. */
async function deepCursor(db: Database, tenantId: string): Promise<{ cursor: string; startDate: string }> {
  const row = await db.withOwner(async (tx) => (await tx.query<{ id: number; micros: number }>(
    `SELECT id, (extract(epoch FROM at) * 1000000)::bigint AS micros FROM messages
      WHERE tenant_id = $1 AND at < now() - interval '300 days' ORDER BY at DESC, id DESC LIMIT 1`, [tenantId])).rows[0]);
  if (!row) throw new Error('no deep row');
  return { cursor: encodeCursor([Number(row.micros), Number(row.id)]), startDate: new Date(Date.now() - 365 * 86_400_000).toISOString().slice(0, 10) };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const port = (probe.address() as { port: number }).port;
      probe.close(() => resolve(port));
    }).on('error', reject);
  });
}

/** `kovan api` as its own process, so the load generator does not share its event loop. */
async function startServerProcess(env: NodeJS.ProcessEnv): Promise<() => Promise<void>> {
  const child: ChildProcess = spawn(process.execPath, [path.join(root, 'bin/kovan.js'), 'api'], { env, cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('kovan api did not start within 60 s')), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening')) { clearTimeout(timer); resolve(); }
    });
    child.stderr!.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`kovan api exited with ${code}`)); });
  });
  log('kovan api started (its own process)');
  return async () => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  };
}

/** PGlite serves one process: the API runs in this one (numbers then include the load generator's share of the CPU). */
async function startServerInProcess(env: NodeJS.ProcessEnv, db: Database): Promise<() => Promise<void>> {
  const { loadConfig } = await import('../src/config.js');
  const { startApi } = await import('../src/roles/api.js');
  const running = await startApi(loadConfig(env), { db });
  log('kovan api started (in this process, PGlite)');
  return () => running.app.close();
}
