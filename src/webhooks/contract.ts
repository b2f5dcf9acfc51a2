/** The shapes of outgoing webhooks and their deliveries as the API returns them: a contract module (docs/ARCHITECTURE.md, Layout). */
import { z } from 'zod';
import { instant } from '../platform/contract.js';

/** The live event types a webhook can subscribe to (an empty list means all of them), plus `ping` for tests. */
export const webhookEventTypes = ['message_in', 'message_out', 'join', 'leave', 'join_request', 'delivery_failed', 'quota', 'bot_status', 'group'] as const;
export type WebhookEventType = (typeof webhookEventTypes)[number];

/** A registered webhook (never its secret: only its last four characters). */
export const webhookSchema = z.object({
  id: z.uuid(),
  url: z.string(),
  description: z.string().nullable(),
  secretLast4: z.string(),
  events: z.array(z.enum(webhookEventTypes)),
  enabled: z.boolean(),
  createdAt: instant,
  updatedAt: instant,
}).meta({ id: 'Webhook' });
export type Webhook = z.output<typeof webhookSchema>;

export const webhookDeliveryStatuses = ['pending', 'sending', 'succeeded', 'failed'] as const;
export type WebhookDeliveryStatus = (typeof webhookDeliveryStatuses)[number];

/** One event's delivery to a webhook: its attempts and the receiver's last answer. */
export const webhookDeliverySchema = z.object({
  id: z.uuid(),
  webhookId: z.uuid(),
  eventId: z.string(),
  eventType: z.string(),
  payload: z.unknown(),
  status: z.enum(webhookDeliveryStatuses),
  attempts: z.number().int(),
  nextAttemptAt: instant.nullable(),
  lastStatusCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  createdAt: instant,
  finishedAt: instant.nullable(),
}).meta({ id: 'WebhookDelivery' });
export type WebhookDelivery = z.output<typeof webhookDeliverySchema>;
