import type { Cache } from '../platform/cache/index.js';

/** Something a tenant's dashboard shows as it happens. Carries no secrets and no other tenant's data. */
export interface LiveEvent {
  type: 'message_in' | 'message_out' | 'join' | 'leave' | 'join_request' | 'delivery_failed' | 'quota' | 'bot_status' | 'group';
  at: string;
  data: Record<string, unknown>;
}

/** The channel of one tenant: subscribers of a tenant only ever see their own channel. */
export function tenantChannel(tenantId: string): string {
  return `events:${tenantId}`;
}

/**
 * Publishes events to the tenant's channel, after the transaction that produced them has
 * committed (so a client never sees an event whose data is not there yet). With Redis the
 * events reach every API replica.
 */
export async function publishEvents(cache: Cache, tenantId: string, events: LiveEvent[]): Promise<void> {
  for (const event of events) await cache.publish(tenantChannel(tenantId), JSON.stringify(event));
}

/** Subscribes to one tenant's events; the returned function unsubscribes. */
export function subscribeEvents(cache: Cache, tenantId: string, onEvent: (event: LiveEvent) => void): Promise<() => Promise<void>> {
  return cache.subscribe(tenantChannel(tenantId), (message) => onEvent(JSON.parse(message) as LiveEvent));
}
