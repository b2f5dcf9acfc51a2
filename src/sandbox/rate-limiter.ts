import type { RateLimits } from './config.js';
import { TelegramTimings } from './config.js';

/** At most `limit` events per `windowMs` per key, counted over a sliding window. */
class SlidingWindow {
  private readonly events = new Map<string, number[]>();

  constructor(private readonly windowMs: number) {}

  /** Milliseconds until one more event fits under `limit`; 0 if it fits now. */
  waitTime(key: string, limit: number, now: number): number {
    const recent = (this.events.get(key) ?? []).filter((at) => at > now - this.windowMs);
    this.events.set(key, recent);
    if (recent.length < limit) return 0;
    const oldestThatMustExpire = recent[recent.length - limit] ?? now;
    return oldestThatMustExpire + this.windowMs - now;
  }

  record(key: string, now: number): void {
    const recent = this.events.get(key) ?? [];
    recent.push(now);
    this.events.set(key, recent);
  }
}

/** A burst of `capacity` events, then `perMs` events per millisecond, per key. */
class TokenBucket {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly capacity: number,
    private readonly perMs: number,
  ) {}

  private refill(key: string, now: number): { tokens: number; at: number } {
    const bucket = this.buckets.get(key) ?? { tokens: this.capacity, at: now };
    bucket.tokens = Math.min(this.capacity, bucket.tokens + (now - bucket.at) * this.perMs);
    bucket.at = now;
    this.buckets.set(key, bucket);
    return bucket;
  }

  waitTime(key: string, now: number): number {
    const bucket = this.refill(key, now);
    return bucket.tokens >= 1 ? 0 : (1 - bucket.tokens) / this.perMs;
  }

  record(key: string, now: number): void {
    this.refill(key, now).tokens -= 1;
  }
}

/** One outgoing message, as the limiter needs to see it. */
export interface OutgoingMessage {
  botId: number;
  chatId: number;
  isGroup: boolean;
  /** `allow_paid_broadcast: true` from a bot eligible for it. */
  paidBroadcast: boolean;
}

/**
 * Telegram's flood control for bots sending messages: per bot (~30/s, 1000/s for paid broadcasts),
 * per chat (~1/s after a short burst) and per group (20/min), all per bot token. A refused message
 * counts against nothing; the caller answers it with 429.
 */
export class RateLimiter {
  private readonly perBot: SlidingWindow;
  private readonly perGroup: SlidingWindow;
  private readonly perChat: TokenBucket;

  constructor(
    private readonly limits: RateLimits,
    scaled: (ms: number) => number,
  ) {
    this.perBot = new SlidingWindow(scaled(TelegramTimings.botLimitWindow));
    this.perGroup = new SlidingWindow(scaled(TelegramTimings.groupLimitWindow));
    this.perChat = new TokenBucket(limits.perChatBurst, limits.perChatPerSecond / scaled(TelegramTimings.retryAfterUnit));
  }

  /** Admits the message (counting it) and returns 0, or returns the milliseconds until it would fit. */
  admit(message: OutgoingMessage, now: number = Date.now()): number {
    const botKey = String(message.botId);
    const chatKey = `${message.botId}/${message.chatId}`;
    const botLimit = message.paidBroadcast ? this.limits.paidBroadcastPerSecond : this.limits.perBotPerSecond;
    const wait = Math.max(
      this.perBot.waitTime(botKey, botLimit, now),
      this.perChat.waitTime(chatKey, now),
      message.isGroup ? this.perGroup.waitTime(chatKey, this.limits.perGroupPerMinute, now) : 0,
    );
    if (wait > 0) return wait;
    this.perBot.record(botKey, now);
    this.perChat.record(chatKey, now);
    if (message.isGroup) this.perGroup.record(chatKey, now);
    return 0;
  }
}
