import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { LiveEvent } from '../events/index.js';
import { decodeCursor, encodeCursor, type Page } from '../http/pagination.js';
import type { TenantTx } from '../platform/db/index.js';
import { hasFeature } from '../tenancy/index.js';
import type { WebhookDelivery, WebhookDeliveryStatus as DeliveryStatus } from './contract.js';

export type { WebhookDelivery, WebhookDeliveryStatus as DeliveryStatus } from './contract.js';

/** What a webhook receives: the event with a stable id to deduplicate on. */
export interface WebhookPayload {
  id: string;
  type: string;
  at: string;
  data: Record<string, unknown>;
}

const columns = `id, webhook_id AS "webhookId", event_id AS "eventId", event_type AS "eventType", payload, status, attempts,
  CASE WHEN status IN ('pending', 'sending') THEN next_attempt_at END AS "nextAttemptAt", last_status_code AS "lastStatusCode",
  last_error AS "lastError", created_at AS "createdAt", finished_at AS "finishedAt"`;

/**
 * The id of an event: a hash of the tenant and the event as published. Every API replica
 * receives the same published event; the same id makes the second insert a no-op.
 */
export function eventIdOf(tenantId: string, event: LiveEvent): string {
  return 'evt_' + createHash('sha256').update(`${tenantId}\n${JSON.stringify(event)}`).digest('hex').slice(0, 32);
}

/**
 * Queues the events for every enabled webhook of the tenant that subscribes to their type
 * (durably: the dispatcher sends them, with retries). Nothing is queued once the plan no
 * longer includes API access. Returns the number of deliveries queued.
 */
export async function queueWebhookEvents(tx: TenantTx, events: readonly LiveEvent[], onlyWebhookId?: string): Promise<number> {
  if (events.length === 0 || !(await hasFeature(tx, 'api_access'))) return 0;
  const payloads: WebhookPayload[] = events.map((e) => ({ id: eventIdOf(tx.tenantId, e), type: e.type, at: e.at, data: e.data }));
  const { rowCount } = await tx.query(
    `INSERT INTO webhook_deliveries (tenant_id, webhook_id, event_id, event_type, payload)
     SELECT $1, w.id, e.id, e.type, e.payload::jsonb
       FROM webhooks w CROSS JOIN unnest($2::text[], $3::text[], $4::text[]) AS e(id, type, payload)
      WHERE w.enabled AND ($5::uuid IS NULL OR w.id = $5::uuid)
        AND (cardinality(w.events) = 0 OR e.type = ANY (w.events) OR e.type = 'ping')
     ON CONFLICT (tenant_id, webhook_id, event_id) DO NOTHING`,
    [tx.tenantId, payloads.map((p) => p.id), payloads.map((p) => p.type), payloads.map((p) => JSON.stringify(p)), onlyWebhookId ?? null]);
  return rowCount;
}

const logCursor = z.tuple([z.number().int().nonnegative(), z.uuid()]);

/** A webhook's delivery log, newest first, cursor-paginated; `status` filters. */
export async function findDeliveriesPage(tx: TenantTx, webhookId: string, status: DeliveryStatus | undefined, cursor: string | undefined, limit: number): Promise<Page<WebhookDelivery>> {
  const after = cursor ? decodeCursor(cursor, logCursor) : undefined;
  const { rows } = await tx.query<WebhookDelivery & { createdMicros: number }>(
    `SELECT ${columns}, (extract(epoch FROM created_at) * 1000000)::bigint AS "createdMicros" FROM webhook_deliveries
      WHERE webhook_id = $1 AND ($2::text IS NULL OR status = $2::text)
        AND ($3::bigint IS NULL OR (created_at, id) < ('epoch'::timestamptz + $3::bigint * interval '1 microsecond', $4::uuid))
      ORDER BY created_at DESC, id DESC LIMIT $5`,
    [webhookId, status ?? null, after?.[0] ?? null, after?.[1] ?? null, limit + 1]);
  const items = rows.slice(0, limit).map(({ createdMicros: _, ...d }) => d);
  const last = rows.length > limit ? rows[limit - 1] : undefined;
  return { items, nextCursor: last ? encodeCursor([last.createdMicros, last.id]) : null };
}
