import { fetch, type Dispatcher } from 'undici';
import type { SecretBox } from '../platform/crypto.js';
import type { Database } from '../platform/db/index.js';
import type { Logger } from '../platform/log.js';
import { Hour, Minute, Second } from '../platform/time.js';
import { signatureHeader, signPayload } from './signature.js';

export interface DispatchDeps {
  db: Database;
  secrets: SecretBox;
  log?: Logger;
  /** The connection pool for receivers; production passes one that reaches public addresses only. */
  egress?: Dispatcher;
}

export interface DispatchOptions {
  /** Deliveries claimed per tenant per pass. */
  batchSize?: number;
  /** Attempts before a delivery is given up as failed. */
  maxAttempts?: number;
  /** Delay after the first failure; doubles per attempt (±20 % jitter), up to `maxDelayMs`. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A receiver has this long to answer. */
  timeoutMs?: number;
  /** Tenants served per pass. */
  maxTenants?: number;
}

export const defaultDispatchOptions: Required<DispatchOptions> = {
  batchSize: 20, maxAttempts: 8, baseDelayMs: 30 * Second, maxDelayMs: Hour, timeoutMs: 10 * Second, maxTenants: 50,
};

/** A claimed delivery is retried after this if its sender died mid-request (at-least-once). */
const claimTimeout = 2 * Minute;

export interface DispatchReport {
  attempted: number;
  succeeded: number;
  retrying: number;
  failed: number;
}

interface Claimed {
  id: string;
  payload: unknown;
  attempts: number;
  url: string;
  secret_sealed: string;
  enabled: boolean;
}

/** Backoff after attempt `n` (1-based) failed. */
export function retryDelay(attempt: number, options: Pick<Required<DispatchOptions>, 'baseDelayMs' | 'maxDelayMs'>): number {
  const base = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/**
 * One dispatch pass: finds tenants with deliveries due, claims a batch per tenant
 * (`FOR UPDATE SKIP LOCKED`, so several API replicas share the work), POSTs each payload
 * signed with the webhook's secret, and records the outcome: 2xx succeeded; anything else
 * retried with exponential backoff until `maxAttempts`, then failed. Requests happen
 * outside any transaction. Safe to run concurrently and repeatedly.
 */
export async function dispatchWebhooks(deps: DispatchDeps, overrides: DispatchOptions = {}): Promise<DispatchReport> {
  const options = { ...defaultDispatchOptions, ...overrides };
  const report: DispatchReport = { attempted: 0, succeeded: 0, retrying: 0, failed: 0 };
  const tenants = await deps.db.withoutTenant(async (tx) =>
    (await tx.query<{ tenant_id: string }>('SELECT tenant_id FROM webhook_due_tenants($1)', [options.maxTenants])).rows.map((r) => r.tenant_id));
  for (const tenantId of tenants) {
    const claimed = await deps.db.withTenant(tenantId, async (tx) => (await tx.query<Claimed>(
      `UPDATE webhook_deliveries d SET status = 'sending', attempts = d.attempts + 1, next_attempt_at = now() + $2 * interval '1 millisecond'
         FROM webhooks w
        WHERE w.id = d.webhook_id AND d.id IN (
              SELECT id FROM webhook_deliveries WHERE status IN ('pending', 'sending') AND next_attempt_at <= now()
               ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING d.id, d.payload, d.attempts, w.url, w.secret_sealed, w.enabled`, [options.batchSize, claimTimeout])).rows);
    const outcomes = await Promise.all(claimed.map((delivery) => send(deps, tenantId, delivery, options)));
    await deps.db.withTenant(tenantId, async (tx) => {
      for (const [index, outcome] of outcomes.entries()) {
        const delivery = claimed[index]!;
        report.attempted++;
        if (outcome.ok) {
          report.succeeded++;
          await tx.query(`UPDATE webhook_deliveries SET status = 'succeeded', last_status_code = $2, last_error = NULL, finished_at = now() WHERE id = $1`, [delivery.id, outcome.statusCode]);
        } else if (delivery.attempts >= options.maxAttempts || !delivery.enabled) {
          report.failed++;
          await tx.query(`UPDATE webhook_deliveries SET status = 'failed', last_status_code = $2, last_error = $3, finished_at = now() WHERE id = $1`,
            [delivery.id, outcome.statusCode ?? null, outcome.error]);
        } else {
          report.retrying++;
          await tx.query(`UPDATE webhook_deliveries SET status = 'pending', last_status_code = $2, last_error = $3, next_attempt_at = now() + $4 * interval '1 millisecond' WHERE id = $1`,
            [delivery.id, outcome.statusCode ?? null, outcome.error, retryDelay(delivery.attempts, options)]);
        }
      }
    });
  }
  return report;
}

type Outcome = { ok: true; statusCode: number } | { ok: false; statusCode?: number; error: string };

async function send(deps: DispatchDeps, tenantId: string, delivery: Claimed, options: Required<DispatchOptions>): Promise<Outcome> {
  if (!delivery.enabled) return { ok: false, error: 'the webhook was disabled' };
  const body = JSON.stringify(delivery.payload);
  const payload = delivery.payload as { id?: string; type?: string };
  let secret: string;
  try {
    secret = deps.secrets.open(delivery.secret_sealed, tenantId);
  } catch {
    return { ok: false, error: 'the signing secret cannot be opened (KOVAN_SECRET_KEY changed?)' };
  }
  try {
    const response = await fetch(delivery.url, {
      method: 'POST',
      ...(deps.egress ? { dispatcher: deps.egress } : {}),
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs),
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Kovan-Webhooks/1',
        [signatureHeader]: signPayload(secret, body, Math.floor(Date.now() / 1000)),
        'Kovan-Event': payload.type ?? 'unknown',
        'Kovan-Delivery': delivery.id,
        'Kovan-Event-Id': payload.id ?? '',
      },
      body,
    });
    await response.body?.cancel().catch(() => {});
    if (response.status >= 200 && response.status < 300) return { ok: true, statusCode: response.status };
    return { ok: false, statusCode: response.status, error: `the receiver answered ${response.status}` };
  } catch (error) {
    const message = failureText(error, options.timeoutMs);
    deps.log?.debug({ err: error, tenant_id: tenantId }, 'webhook delivery failed');
    return { ok: false, error: message.slice(0, 500) };
  }
}

/** What went wrong, in words: fetch hides the connection's own error (a refused address, a reset) in `cause`. */
function failureText(error: unknown, timeoutMs: number): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  return cause ? `${error.message}: ${cause}` : error.message;
}
