import type { Cache } from '../platform/cache/index.js';

/** Something to do at Telegram after an update's transaction commits and the outbox has sent what it must first. */
export interface FollowUp {
  action: 'approve' | 'decline';
  chatId: number;
  userId: number;
  /** Wait for this delivery (the invite message) to finish first: the DM window closes when the request is processed. */
  afterDeliveryId?: string;
}

/** What the API tells a tenant's session: work was queued (wake the drainer), and follow-ups to run. */
export interface SessionSignal {
  botId?: string;
  followUps?: FollowUp[];
  /** A bot was connected, reconnected or disconnected: the session restarts with the bots as they are now. */
  botsChanged?: boolean;
}

/** The channel on which a tenant's session (on whichever worker holds it) listens for signals. */
export function sessionChannel(tenantId: string): string {
  return `session:${tenantId}`;
}

/**
 * Tells the worker holding the tenant's session that work arrived (a webhook update's
 * replies, a broadcast): it sends at once instead of at its next outbox poll.
 */
export async function signalSession(cache: Cache, tenantId: string, signal: SessionSignal = {}): Promise<void> {
  await cache.publish(sessionChannel(tenantId), JSON.stringify(signal));
}
