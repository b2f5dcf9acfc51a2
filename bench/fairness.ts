/**
 * `npm run bench -- fairness [--seconds N] [--concurrency N] [--limit N]`: per-tenant
 * fairness on the API. Two tenants on one `kovan api` (in this process): tenant B reads
 * (GET /api/templates, one request at a time) alone for a baseline, then again while tenant
 * A hammers writes (POST /api/config/update) at `--concurrency`. The last line is JSON with
 * both tenants' p50/p99 and A's answers; `--limit` is TENANT_WRITE_LIMIT (per 10 s; a huge
 * value shows the process without the budget).
 *
 * DATABASE_URL (real PostgreSQL; a scratch database is created and dropped) and REDIS_URL
 * are used when set; PGlite and the in-memory cache otherwise.
 */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { startApi } from '../src/roles/api.js';
import { openBenchDatabase } from './bench-database.js';
import { runLoad } from './http-load.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== 'fairness'),
  options: {
    seconds: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '16' },
    limit: { type: 'string', default: '100' },
  },
});
const durationMs = Number(values.seconds) * 1000;
const concurrency = Number(values.concurrency);

const work = mkdtempSync(path.join(tmpdir(), 'kovan-bench-fairness-'));
const bench = await openBenchDatabase(work);
const running = await startApi(loadConfig({
  NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: work, PORT: '0', HOST: '127.0.0.1', DEMO_MODE: 'off',
  KOVAN_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'), TRUST_PROXY: 'true', TENANT_WRITE_LIMIT: values.limit!,
  ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL, REDIS_PREFIX: `kovan-bench-${process.pid}:` } : {}),
}), { db: bench.db });
const url = running.url.replace('localhost', '127.0.0.1');

async function register(name: string, client: string): Promise<string> {
  const response = await fetch(`${url}/api/auth/register`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': client },
    body: JSON.stringify({ username: `${name}${process.pid}`, email: `${name}${process.pid}@example.test`, password: 'correct horse battery staple' }),
  });
  if (response.status !== 201) throw new Error(`register ${name}: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}

try {
  const a = await register('fairnessa', '192.0.2.1');
  const b = await register('fairnessb', '192.0.2.2');
  const probeB = () => runLoad({ url: `${url}/api/templates`, headers: { authorization: `Bearer ${b}` }, concurrency: 1, durationMs, warmupRequests: 20 });
  const baseline = await probeB();
  const [hammer, underLoad] = await Promise.all([
    runLoad({ url: `${url}/api/config/update`, method: 'POST', body: { config_key: 'language', config_value: 'en' }, headers: { authorization: `Bearer ${a}` }, concurrency, durationMs, warmupRequests: 0 }),
    probeB(),
  ]);
  console.log(JSON.stringify({
    bench: 'fairness', database: bench.kind, cache: process.env.REDIS_URL ? 'redis' : 'memory', cores: availableParallelism(), loadavg1: Math.round(loadavg()[0]! * 10) / 10,
    seconds: durationMs / 1000, concurrencyA: concurrency, tenantWriteLimit: Number(values.limit),
    tenantB: { baseline: { p50: baseline.p50, p99: baseline.p99, rps: baseline.requestsPerSecond }, whileAHammers: { p50: underLoad.p50, p99: underLoad.p99, rps: underLoad.requestsPerSecond, non2xx: underLoad.non2xx } },
    tenantA: { p50: hammer.p50, p99: hammer.p99, rps: hammer.requestsPerSecond, refusedOrFailed: hammer.non2xx, requests: hammer.requests },
  }));
} finally {
  await running.app.close(); // the bench database closes itself (and drops the scratch database)
  await bench.close();
  await rm(work, { recursive: true, force: true });
}
