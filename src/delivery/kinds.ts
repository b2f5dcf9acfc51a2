/**
 * What an outgoing message is for. The kind decides its place in the queue and whether it
 * counts against the plan's messages per day.
 */
export const deliveryKinds = ['reply', 'join_request', 'welcome', 'invite', 'scheduled', 'broadcast', 'notification'] as const;
export type DeliveryKind = (typeof deliveryKinds)[number];

/**
 * Queue order, lower first: someone waiting on an answer (a reply, a join-request DM that
 * Telegram only allows for 5 minutes, Kovan's own notice to the tenant) goes before a
 * greeting, which goes before planned posts, which go before bulk broadcasts.
 */
const priorities: Record<DeliveryKind, number> = {
  reply: 0,
  join_request: 0,
  notification: 0,
  welcome: 1,
  invite: 1,
  scheduled: 2,
  broadcast: 3,
};

export function priorityOf(kind: DeliveryKind): number {
  return priorities[kind];
}

/**
 * Kovan's own notices to the tenant (quota warnings, a failed bot) do not use up the quota
 * they may be warning about.
 */
export function chargesQuota(kind: DeliveryKind): boolean {
  return kind !== 'notification';
}

/** Bulk kinds may use Telegram's paid broadcast mode when the tenant turned it on. */
export function isBulk(kind: DeliveryKind): boolean {
  return kind === 'scheduled' || kind === 'broadcast';
}
