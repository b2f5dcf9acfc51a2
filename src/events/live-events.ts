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
 * How much of a tenant's event stream is kept for clients that reconnect (`Last-Event-ID`):
 * the newest events, for a while after the last one.
 */
export const eventLog = { keep: 500, ttlMs: 60 * 60 * 1000 };

/**
 * Publishes events to the tenant's channel, after the transaction that produced them has
 * committed (so a client never sees an event whose data is not there yet). Each event is
 * also kept in the tenant's short event log under an increasing id, so a client that
 * reconnects gets what it missed. With Redis the events reach every API replica.
 */
export async function publishEvents(cache: Cache, tenantId: string, events: LiveEvent[]): Promise<void> {
  for (const event of events) await cache.publishLogged(tenantChannel(tenantId), JSON.stringify(event), eventLog);
}

/** Subscribes to one tenant's events (with their log ids); the returned function unsubscribes. */
export function subscribeEvents(cache: Cache, tenantId: string, onEvent: (event: LiveEvent, id: string) => void): Promise<() => Promise<void>> {
  return cache.subscribe(tenantChannel(tenantId), (message) => {
    const space = message.indexOf(' ');
    onEvent(JSON.parse(message.slice(space + 1)) as LiveEvent, message.slice(0, space));
  });
}

/** The tenant's events after `afterId`, oldest first; `complete` is false when some may have been dropped. */
export async function eventsAfter(cache: Cache, tenantId: string, afterId: string): Promise<{ events: Array<{ id: string; event: LiveEvent }>; complete: boolean }> {
  const { entries, complete } = await cache.readLogAfter(tenantChannel(tenantId), afterId, eventLog.keep);
  return { events: entries.map((e) => ({ id: e.id, event: JSON.parse(e.message) as LiveEvent })), complete };
}
