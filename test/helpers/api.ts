import { Writable } from 'node:stream';
import { apiServices } from '../../src/roles/api.js';
import { buildServer, type RegisteredRoute } from '../../src/http/server.js';
import type { Services, RouteModule } from '../../src/http/types.js';
import { createLogger } from '../../src/platform/log.js';
import { closePlatform, openPlatform } from '../../src/platform/index.js';
import { FileMailer } from '../../src/platform/mail.js';
import type { Database } from '../../src/platform/db/index.js';
import type { Cache } from '../../src/platform/cache/index.js';
import type { Config } from '../../src/config.js';
import { openTestCache, openTestDatabase, testConfig } from './env.js';
import path from 'node:path';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

export interface TestApi {
  url: string;
  services: Services;
  routes: RegisteredRoute[];
  config: Config;
  /** Every log line the server wrote, for assertions about what is (not) logged. */
  logs: string[];
  /** Where the file mailer writes e-mails. */
  mailDir: string;
  /** The Telegram sandbox this API's TELEGRAM_API_ROOT points at (shared by the test file's APIs). */
  sandbox: Sandbox;
  /** fetch against the server; `token` adds the bearer header; JSON bodies are encoded. */
  request(method: string, url: string, options?: { token?: string; body?: unknown; rawBody?: string | Uint8Array; headers?: Record<string, string> }): Promise<TestResponse>;
  close(): Promise<void>;
}

export interface TestResponse {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

/** A real Kovan API on a random local port, over a real database, with logs captured. */
export async function startTestApi(options: {
  config?: Record<string, string>;
  extraRoutes?: RouteModule[];
  /** Another database and cache than the run's (outage tests bring their own servers); migrated here. */
  backends?: { db: Database; cache: Cache | undefined };
} = {}): Promise<TestApi> {
  const sandbox = await acquireSandbox();
  const config = testConfig({ LOG_LEVEL: 'info', TRUST_PROXY: 'true', TELEGRAM_API_ROOT: sandbox.apiRoot, ...options.config });
  const logs: string[] = [];
  const sink = new Writable({ write(chunk, _enc, done) { logs.push(String(chunk)); done(); } });
  const log = createLogger('info', sink);
  const mailDir = path.join(config.DATA_DIR, 'mail');
  // A test that sets REDIS_URL to '' gets the platform's own choice: on PostgreSQL, the LISTEN/NOTIFY bus.
  const backends = options.backends ?? { db: await openTestDatabase(), cache: config.REDIS_URL || !process.env.REDIS_URL ? openTestCache() : undefined };
  const platform = await openPlatform(config, { ...backends, mailer: new FileMailer(mailDir, config.MAIL_FROM), log });
  const services = apiServices(platform);
  const { app, routes } = await buildServer(services, { extraRoutes: options.extraRoutes });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });

  return {
    url, services, routes, config, logs, mailDir, sandbox,
    async request(method, target, { token, body, rawBody, headers = {} } = {}) {
      const h: Record<string, string> = { ...headers };
      if (token) h.authorization = `Bearer ${token}`;
      if (body !== undefined && !h['content-type']) h['content-type'] = 'application/json';
      const response = await fetch(url + target, { method, headers: h, body: (rawBody as BodyInit | undefined) ?? (body === undefined ? undefined : JSON.stringify(body)) });
      const text = await response.text();
      let parsed: unknown = text;
      try { parsed = JSON.parse(text); } catch { /* not JSON */ }
      return { status: response.status, headers: response.headers, body: parsed, text };
    },
    async close() {
      await app.close();
      await closePlatform(platform);
      await releaseSandbox();
    },
  };
}

let counter = 0;

/** Registers a fresh tenant through the public API and returns its owner's session. */
export async function registerTenant(api: TestApi, prefix = 't'): Promise<{ token: string; tenantId: string; memberId: string; username: string; email: string; password: string }> {
  const username = `${prefix}${process.pid}x${Date.now() % 1e6}x${counter++}`.slice(0, 32).toLowerCase();
  const email = `${username}@example.test`;
  const password = 'correct horse battery staple';
  // Each registration comes from its own client address: test files share one rate-limit budget in Redis.
  const client = `10.${counter % 250}.${Math.floor(Math.random() * 250)}.${process.pid % 250}`;
  const r = await api.request('POST', '/api/auth/register', { body: { username, email, password }, headers: { 'x-forwarded-for': client } });
  if (r.status !== 201) throw new Error(`register failed: ${r.status} ${r.text}`);
  return { token: r.body.token, tenantId: r.body.tenantId, memberId: r.body.member.id, username, email, password };
}

// ─── Telegram sandbox (REST API) ──────────────────────────────────────────────────
// Every test API talks to an offline Telegram: connecting a bot, the setup checklist and
// leaving a group call it for real. One sandbox per test process, closed with the last API.
let sandboxUsers = 0;
let sharedSandbox: Promise<Sandbox> | undefined;

async function acquireSandbox(): Promise<Sandbox> {
  sandboxUsers++;
  sharedSandbox ??= startSandbox();
  return sharedSandbox;
}

async function releaseSandbox(): Promise<void> {
  if (--sandboxUsers > 0 || !sharedSandbox) return;
  const sandbox = sharedSandbox;
  sharedSandbox = undefined;
  await (await sandbox).close();
}
