import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { RegisteredRoute } from '../../src/http/server.js';
import { startRuntime, type Runtime, type RuntimeTenant } from '../helpers/runtime.js';
import { realPostgres } from '../helpers/env.js';
import { eventually } from '../helpers/processes.js';

/**
 * Hostile load, bounded for CI: several tenants at once hammer every write route of the
 * route table (new routes join automatically) with valid and invalid bodies, under the
 * production write budget, for {@link loadMs}. Every answer must be a non-5xx within
 * {@link answerBoundMs}, /healthz must answer throughout, and afterwards the outbox must be
 * consistent with what the Telegram sandbox received: every accepted message sent once (or
 * failed with a reason), none twice, although each broadcast was retried concurrently with
 * the same idempotency key.
 */
const loadMs = 10_000;
const tenants = 3;
/**
 * The embedded PGlite runs every query on this process's one thread, one at a time, so there
 * every answer waits for all tenants' queries before it (and /healthz for the thread): the
 * same load is lighter and the bounds looser than on PostgreSQL.
 */
const embedded = !realPostgres;
const loopsPerTenant = embedded ? 2 : 4;
/**
 * Generous: the machine running CI is shared and slow, and the Try-it route waits up to
 * ~10 s for the bot's answer by design; a hang or a stuck loop is far beyond it.
 */
const answerBoundMs = embedded ? 45_000 : 20_000;
/** /healthz is asked every 200 ms; at least this many answers must come back during the load. */
const healthAnswersAtLeast = embedded ? 3 : loadMs / 1000;
/** Distinct broadcasts per tenant; each is sent again and again with its idempotency key. */
const broadcastsPerTenant = 3;

let rt: Runtime;
let hammering: RuntimeTenant[];
before(async () => {
  rt = await startRuntime({ config: { TENANT_WRITE_LIMIT: '100' } });
  hammering = await Promise.all(Array.from({ length: tenants }, () => rt.tenant()));
});
after(async () => {
  await rt?.close();
  // Known leftover, not this suite's subject: after the hostile load, Telegram client calls
  // (grammY, 60 s timeouts) are still pending once everything is closed and keep this file's
  // process alive past the runner's 120 s. The results are reported by then; leave promptly.
  setTimeout(() => process.exit(), 2000).unref();
});

/** Routes that end the caller's own session or identity would only stop the load, not test it. */
const ownSession = (url: string) => url.startsWith('/api/auth/');

const garbage: Array<{ rawBody?: string; body?: unknown; headers?: Record<string, string> }> = [
  { rawBody: '{"text": "a",', headers: { 'content-type': 'application/json' } },
  { body: [1, 2, 3] },
  { body: { text: 12, name: true, group_ids: 'all', content: null, url: [], config_key: {} } },
  { body: { text: 'x'.repeat(100_000), name: 'n'.repeat(10_000) } },
  { rawBody: '{"__proto__":{"admin":true}}', headers: { 'content-type': 'application/json' } },
  { body: { text: 'nul\u0000', content: '{% for x in (1..100000000) %}{{x}}{% endfor %}' } },
];

test('several tenants hammer every write route: no 5xx, bounded answers, /healthz throughout, a consistent outbox', async () => {
  const writeRoutes = rt.api.routes.filter((r) => r.url.startsWith('/api/') && !ownSession(r.url) && ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method));
  assert.ok(writeRoutes.length >= 20, `${writeRoutes.length} write routes`);
  const broadcasts = writeRoutes.find((r) => r.method === 'POST' && r.url === '/api/broadcasts')!;

  const statuses = new Map<number, number>();
  const failures: string[] = [];
  let slowest = 0;
  const stopAt = Date.now() + loadMs;

  const send = async (t: RuntimeTenant, route: RegisteredRoute, round: number) => {
    // Path parameters get ids that exist nowhere: the load must not delete the tenant's bot or leave its group.
    const url = route.url.replace(/:([A-Za-z_]+)/g, () => randomUUID());
    const valid = Math.floor(round / writeRoutes.length) % 2 === 0; // alternate passes over the routes
    const payload = route === broadcasts
      ? { body: { text: `hostile ${t.tenantId} #${round % broadcastsPerTenant}`, group_ids: [t.groupId], idempotency_key: `hostile-${round % broadcastsPerTenant}` } }
      : valid
        ? (route.method === 'DELETE' ? {} : { body: route.example ?? {} })
        : garbage[round % garbage.length]!;
    const t0 = performance.now();
    const r = await rt.api.request(route.method, url, { token: t.token, ...payload });
    const ms = performance.now() - t0;
    slowest = Math.max(slowest, ms);
    statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    if (r.status >= 500) failures.push(`${r.status} ${route.method} ${route.url}: ${r.text.slice(0, 200)}`);
    if (ms > answerBoundMs) failures.push(`${Math.round(ms)} ms for ${route.method} ${route.url}`);
  };
  /** A tenant's loops share its sequence, so together they walk every route, valid and invalid. */
  const hammer = async (t: RuntimeTenant, next: { round: number }) => {
    while (Date.now() < stopAt) {
      const round = next.round++;
      await send(t, writeRoutes[round % writeRoutes.length]!, round);
    }
  };
  /** Besides, each tenant retries its broadcasts without pause, with their idempotency keys: each must be sent once. */
  const retryBroadcasts = async (t: RuntimeTenant) => {
    for (let round = 0; Date.now() < stopAt; round++) await send(t, broadcasts, round);
  };

  const health: number[] = [];
  const watchHealth = async () => {
    while (Date.now() < stopAt) {
      const t0 = performance.now();
      const r = await rt.api.request('GET', '/healthz');
      health.push(performance.now() - t0);
      if (r.status !== 200) failures.push(`/healthz answered ${r.status}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };

  await Promise.all([watchHealth(), ...hammering.flatMap((t) => {
    const next = { round: 0 };
    return [retryBroadcasts(t), ...Array.from({ length: loopsPerTenant }, () => hammer(t, next))];
  })]);
  const summary = `answers ${JSON.stringify(Object.fromEntries(statuses))}, slowest ${Math.round(slowest)} ms, /healthz ${health.length}× (slowest ${Math.round(Math.max(...health))} ms)`;
  console.log(`# ${summary}`);
  assert.deepEqual(failures, [], summary);
  assert.ok(health.length >= healthAnswersAtLeast, `/healthz answered only ${health.length} times: ${summary}`);
  assert.ok(Math.max(...health) < answerBoundMs, summary);

  // The outbox settles: nothing due is left queued, claimed or in flight.
  for (const t of hammering) {
    const unsettled = () => rt.api.services.db.withTenant(t.tenantId, async (tx) => (await tx.query<{ kind: string; status: string; reason: string | null }>(
      `SELECT kind, status, reason FROM outbox WHERE status IN ('claimed', 'sending') OR (status = 'queued' AND not_before <= now())`)).rows);
    await eventually(async () => (await unsettled()).length === 0, 40_000, `tenant ${t.tenantId}'s outbox to settle`)
      .catch(async (error) => { throw new Error(`${error.message}: ${JSON.stringify(await unsettled())}`); });
  }
  let accepted = 0;
  for (const t of hammering) {
    const rows = await rt.api.services.db.withTenant(t.tenantId, async (tx) => (await tx.query<{ status: string; reason: string | null; text: string; telegram_message_id: string | null }>(
      `SELECT status, reason, text, telegram_message_id::text FROM outbox WHERE text LIKE 'hostile %'`)).rows);
    const sentToTelegram = rt.sandbox.calls.sentMessages({ botId: t.bot.telegramBotId, chatId: t.bot.groupChatId })
      .filter((m) => 'text' in m && m.text?.startsWith('hostile '));
    accepted += rows.length;
    assert.ok(rows.length <= broadcastsPerTenant, `${rows.length} outbox rows for ${broadcastsPerTenant} idempotent broadcasts`);
    for (const row of rows) {
      if (row.status === 'sent') {
        const copies = sentToTelegram.filter((m) => String(m.message_id) === row.telegram_message_id);
        assert.equal(copies.length, 1, `sent row ${row.text} has ${copies.length} messages in the group`);
      } else {
        assert.ok(['failed', 'cancelled'].includes(row.status) && row.reason, `${row.text}: ${row.status} without a reason`);
      }
    }
    const texts = sentToTelegram.map((m) => ('text' in m ? m.text : ''));
    assert.equal(new Set(texts).size, texts.length, `duplicates in the group: ${texts.join(' | ')}`);
    assert.equal(texts.length, rows.filter((r) => r.status === 'sent').length, `the group got exactly the messages the outbox says were sent: ${JSON.stringify({ rows, texts })}`);
  }
  assert.ok(accepted > 0, 'no broadcast was accepted at all: the load did not reach the outbox');
});
