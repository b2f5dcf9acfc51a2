import { Minute, Second } from './durations.js';

/**
 * Flood limits. Telegram does not publish exact figures; these defaults follow what its FAQ and the
 * grammY docs describe. Each is counted per bot token, as Telegram does.
 */
export interface RateLimits {
  /** Messages a bot may send per second across all chats (Telegram: ~30). */
  perBotPerSecond: number;
  /** Same, for `allow_paid_broadcast: true` sends of an eligible bot (Telegram: 1000). */
  paidBroadcastPerSecond: number;
  /** Sustained messages per second into one chat (Telegram: ~1). */
  perChatPerSecond: number;
  /** How many messages into one chat may go out back to back before the per-chat rate applies. */
  perChatBurst: number;
  /** Messages per minute into one group or supergroup (Telegram: 20). */
  perGroupPerMinute: number;
}

/** Options for {@link startSandbox}. */
export interface SandboxOptions {
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Interface to listen on; 127.0.0.1 unless you mean to expose the sandbox. */
  host?: string;
  /**
   * Multiplies every duration that Telegram itself keeps: rate-limit windows, the 5-minute
   * join-request window, the 10-second pre-checkout deadline, webhook back-off and timeout, the
   * anti-spin pause of repeated getUpdates. 0.01 turns a minute into 600 ms. `retry_after` values
   * stay in these scaled ("sandbox") seconds, so they read like Telegram's. Durations a client
   * chooses (the getUpdates `timeout`) are not scaled. Default 1.
   */
  timeScale?: number;
  /** Override some flood limits, or `false` to switch flood control off (e.g. for raw benchmarks). */
  limits?: Partial<RateLimits> | false;
  /** A file to keep the world in across restarts (see persistence.ts); unset: the world lives in memory only. */
  stateFile?: string;
  /** About how many calls the call log keeps (older ones are dropped), so long benchmarks fit in memory. Default 100,000. */
  callLogLimit?: number;
}

/** Telegram's defaults for {@link RateLimits}. */
export const defaultRateLimits: RateLimits = {
  perBotPerSecond: 30,
  paidBroadcastPerSecond: 1000,
  perChatPerSecond: 1,
  perChatBurst: 3,
  perGroupPerMinute: 20,
};

/** Durations Telegram's servers keep, before scaling. */
export const TelegramTimings = {
  /** A bot may message the sender of a join request this long (or until the request is handled). */
  joinRequestContactWindow: 5 * Minute,
  /** A pre-checkout query unanswered for this long fails the payment. */
  preCheckoutDeadline: 10 * Second,
  /** A callback query unanswered for this long stops the button's spinner; later answers fail. */
  callbackAnswerDeadline: 15 * Second,
  /** A getUpdates repeated with the same offset within this time is held at least this long. */
  repeatedPollHold: 3 * Second,
  /** Minimum time between two setWebhook calls that set a URL. */
  setWebhookInterval: 1 * Second,
  /** How long a webhook request may take before it counts as failed. */
  webhookResponseTimeout: 60 * Second,
  /** Back-off after the second failed delivery of an update; doubles per failure. */
  webhookFirstRetryDelay: 2 * Second,
  /** Ceiling of the webhook back-off. */
  webhookMaxRetryDelay: 60 * Second,
  /** One "second" of retry_after. */
  retryAfterUnit: 1 * Second,
  /** Window of the per-group limit. */
  groupLimitWindow: 1 * Minute,
  /** Window of the per-bot limit. */
  botLimitWindow: 1 * Second,
} as const;

/** Options with defaults applied; what the rest of the sandbox reads. */
export interface SandboxConfig {
  readonly host: string;
  readonly port: number;
  readonly timeScale: number;
  readonly limits: RateLimits | null;
  readonly callLogLimit: number;
  /** A Telegram-kept duration after {@link SandboxOptions.timeScale}. */
  scaled(ms: number): number;
}

/** Applies defaults and checks the numbers, so nothing downstream meets a NaN. */
export function resolveConfig(options: SandboxOptions = {}): SandboxConfig {
  const timeScale = options.timeScale ?? 1;
  if (!(timeScale > 0) || !Number.isFinite(timeScale)) {
    throw new RangeError(`timeScale must be a positive number, got ${timeScale}`);
  }
  const limits = options.limits === false ? null : { ...defaultRateLimits, ...options.limits };
  if (limits) {
    for (const [name, value] of Object.entries(limits)) {
      if (!(value > 0)) throw new RangeError(`limits.${name} must be positive, got ${value}`);
    }
  }
  const callLogLimit = options.callLogLimit ?? 100_000;
  if (!(callLogLimit >= 1)) throw new RangeError(`callLogLimit must be at least 1, got ${callLogLimit}`);
  return {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    timeScale,
    limits,
    callLogLimit,
    scaled: (ms) => ms * timeScale,
  };
}
