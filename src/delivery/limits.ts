import { Minute, Second } from '../platform/time.js';

/**
 * The numbers that govern sending: Telegram's flood limits as the sender paces them, how a
 * refused send is retried, and the drainer's own rhythm. Defaults follow Telegram's
 * documented figures (docs/TELEGRAM-FACTS in /work/shared): ~30 messages/s per bot, ~1/s per
 * chat after a short burst, 20/min per group. Tests and benchmarks shrink every duration
 * with {@link scaledLimits} to match a sandbox running faster than real time.
 */
export interface DeliveryLimits {
  /** Messages a bot may send per `botWindowMs` across all chats. */
  botMessagesPerWindow: number;
  /** Same, for bulk messages sent with `allow_paid_broadcast` (Telegram: 1000/s). */
  paidBroadcastMessagesPerWindow: number;
  botWindowMs: number;
  /** Messages into one chat back to back before the per-chat rate applies. */
  chatBurst: number;
  /** One message per this interval into one chat, sustained. */
  chatIntervalMs: number;
  /** Messages into one group per `groupWindowMs`. */
  groupMessagesPerWindow: number;
  groupWindowMs: number;
  /** How long one second of Telegram's `retry_after` lasts (shorter against a sped-up sandbox). */
  retryAfterUnitMs: number;
  /** Added to every window: clock granularity between the sender and Telegram. */
  safetyMarginMs: number;
  /** First retry delay after a 5xx or network error; doubles per attempt, with jitter. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Telegram calls per message before a still-failing (5xx/network) one is given up. */
  maxAttempts: number;
  /** A bot whose token Telegram refuses (401) is not tried again for this long. */
  unauthorizedPauseMs: number;
  /** Messages held in memory at once; rows that cannot go within `holdHorizonMs` are put back. */
  maxHeld: number;
  /** Rows taken per claim: about what a bot can send within the hold horizon, so few are put straight back. */
  claimBatch: number;
  /** How far ahead the sender keeps claimed messages; later ones wait in the table. */
  holdHorizonMs: number;
  /** Concurrent Telegram calls per drainer. */
  maxInFlight: number;
  /** How long a claim lasts unless renewed (longer than a Telegram call may take). */
  claimTtlMs: number;
  /** Polling when nobody calls wake(): this often after work, doubling while the table stays empty… */
  idlePollMs: number;
  /** …up to this. wake() (the pipeline enqueued) and due rows put off earlier are never late. */
  maxIdlePollMs: number;
  /** Finished outbox rows are deleted after this long (history stays in `messages`). */
  retentionMs: number;
}

export const defaultDeliveryLimits: DeliveryLimits = {
  botMessagesPerWindow: 30,
  paidBroadcastMessagesPerWindow: 1000,
  botWindowMs: 1 * Second,
  chatBurst: 3,
  chatIntervalMs: 1 * Second,
  groupMessagesPerWindow: 20,
  groupWindowMs: 1 * Minute,
  retryAfterUnitMs: 1 * Second,
  safetyMarginMs: 5,
  retryBaseMs: 1 * Second,
  retryMaxMs: 5 * Minute,
  maxAttempts: 8,
  unauthorizedPauseMs: 1 * Minute,
  maxHeld: 300,
  claimBatch: 100,
  holdHorizonMs: 3 * Second,
  maxInFlight: 64,
  claimTtlMs: 2 * Minute,
  idlePollMs: 1 * Second,
  maxIdlePollMs: 10 * Second,
  retentionMs: 7 * 24 * 60 * Minute,
};

/** Durations that model Telegram's clock; {@link scaledLimits} shrinks these and only these. */
const telegramDurations = ['botWindowMs', 'chatIntervalMs', 'groupWindowMs', 'retryAfterUnitMs', 'retryBaseMs', 'retryMaxMs', 'unauthorizedPauseMs', 'holdHorizonMs'] as const;

/** Defaults with overrides applied. */
export function resolveLimits(overrides: Partial<DeliveryLimits> = {}): DeliveryLimits {
  return { ...defaultDeliveryLimits, ...overrides };
}

/**
 * Limits for a sandbox whose clock runs `timeScale` times real time (sandbox `timeScale`
 * 0.05: a minute lasts 3 s). Counts stay; Telegram's durations shrink; the idle polls
 * shrink with them but not below 20 ms.
 */
export function scaledLimits(timeScale: number, overrides: Partial<DeliveryLimits> = {}): DeliveryLimits {
  const scaled = { ...defaultDeliveryLimits };
  for (const key of telegramDurations) scaled[key] = defaultDeliveryLimits[key] * timeScale;
  scaled.idlePollMs = Math.max(20, defaultDeliveryLimits.idlePollMs * timeScale);
  scaled.maxIdlePollMs = Math.max(20, defaultDeliveryLimits.maxIdlePollMs * timeScale);
  return { ...scaled, ...overrides };
}
