import { Counter, Gauge } from 'prom-client';
import { metrics } from '../platform/metrics.js';

/** Outcomes of outgoing messages: sent, failed, retried (requeued), rejected at enqueue, cancelled, unknown (in doubt after a crash). */
export const deliveries = new Counter({
  name: 'kovan_deliveries_total',
  help: 'Outgoing messages by outcome',
  labelNames: ['result'] as const,
  registers: [metrics],
});

export const telegram429 = new Counter({
  name: 'kovan_telegram_429_total',
  help: 'Telegram answers "429 Too Many Requests" received by the sender',
  registers: [metrics],
});

export const quotaExhausted = new Counter({
  name: 'kovan_quota_exhausted_total',
  help: 'Messages refused because the daily quota was used up',
  registers: [metrics],
});

/**
 * Each running drainer reports its tenant's queue here; the gauges sum and max them at
 * scrape time, so there is no label per tenant.
 */
const queues = new Map<object, { depth: number; oldestAgeSeconds: number }>();

export function reportQueue(drainer: object, depth: number, oldestAgeSeconds: number): void {
  queues.set(drainer, { depth, oldestAgeSeconds });
}

export function forgetQueue(drainer: object): void {
  queues.delete(drainer);
}

new Gauge({
  name: 'kovan_outbox_depth',
  help: 'Messages due and not yet finished, over the tenants this process drains',
  registers: [metrics],
  collect() {
    let total = 0;
    for (const q of queues.values()) total += q.depth;
    this.set(total);
  },
});

new Gauge({
  name: 'kovan_outbox_oldest_age_seconds',
  help: 'Age of the oldest due, unfinished message over the tenants this process drains',
  registers: [metrics],
  collect() {
    let oldest = 0;
    for (const q of queues.values()) oldest = Math.max(oldest, q.oldestAgeSeconds);
    this.set(oldest);
  },
});
