import type { DeliveryLimits } from './limits.js';
import { isGroupChat } from './targets.js';

/**
 * Decides when each message may start so that Telegram never has reason to answer 429,
 * while losing as little time as the limits allow. Used live by the sender and, on a
 * virtual clock, by the planner — the ETA is computed by the code that does the pacing.
 *
 * The limits are checked against what Telegram can have seen, not what we did: a call
 * reaches Telegram somewhere between our request and its answer, so each message occupies
 * its slot in a window until `answer + window` (not `request + window`), and a chat's token
 * bucket earns nothing while a message to it is in flight. Network jitter then cannot make
 * two messages look closer together to Telegram than they were allowed to be. The price is
 * one round trip per window; against a local sandbox that is under 1 %.
 *
 * Shapes (docs/DELIVERY.md, "Pacing"): "N per window" limits (per bot, per group) are
 * sliding windows, because a token bucket refilling at N/window lets up to 2N through in one
 * window; the per-chat limit is a token bucket (a short burst, then a steady rate). One
 * message per chat is in flight at a time, which also keeps each chat's messages in order.
 */

/** A message as pacing sees it. */
export interface PacedSend {
  botId: string;
  chatId: number;
  /** Sent with `allow_paid_broadcast`: counts against the paid per-bot limit instead. */
  paid: boolean;
}

/** A message that started; hand it back to {@link Pacer.end} when Telegram answers. */
export interface PaceTicket {
  readonly botId: string;
  readonly chatKey: string;
  readonly botSlot: Slot;
  readonly groupSlot: Slot | null;
}

interface Slot {
  /** When the call was answered; Infinity while in flight. */
  end: number;
}

/** At most `limit` messages whose slots end within the last `windowMs`, per key. */
class SlidingWindow {
  readonly #slots = new Map<string, Slot[]>();

  constructor(private readonly windowMs: number, private readonly marginMs: number) {}

  /** Milliseconds until one more fits; Infinity when only an in-flight call's answer can free a slot. */
  wait(key: string, limit: number, now: number): number {
    // A count of messages is whole: 2.5 per window lets 2 through, and under 1 none, ever.
    const allowed = Math.floor(limit);
    if (!(allowed >= 1)) return Infinity;
    const slots = this.#live(key, now);
    if (slots.length < allowed) return 0;
    const ends = slots.map((s) => s.end).sort((a, b) => a - b);
    return ends[slots.length - allowed]! + this.windowMs + this.marginMs - now;
  }

  take(key: string, now: number): Slot {
    const slot = { end: Infinity };
    const slots = this.#live(key, now);
    slots.push(slot);
    this.#slots.set(key, slots);
    return slot;
  }

  /** Forgets keys with no live slot (memory stays proportional to active chats). */
  sweep(now: number): void {
    for (const key of this.#slots.keys()) if (this.#live(key, now).length === 0) this.#slots.delete(key);
  }

  /** Copies `other`'s slots for `key` (leaving `other` as it is), calls in flight taken as answered `now`. */
  adopt(other: SlidingWindow, key: string, now: number): void {
    this.#slots.set(key, (other.#slots.get(key) ?? []).map((s) => ({ end: Number.isFinite(s.end) ? s.end : now })));
  }

  #live(key: string, now: number): Slot[] {
    const slots = this.#slots.get(key) ?? [];
    const horizon = now - this.windowMs - this.marginMs;
    const live = slots.filter((s) => s.end > horizon);
    if (live.length !== slots.length) this.#slots.set(key, live);
    return live;
  }
}

/** `burst` messages back to back, then one per `intervalMs`, per key. */
class TokenBucket {
  readonly #state = new Map<string, { tokens: number; since: number }>();

  constructor(private readonly burst: number, private readonly intervalMs: number, private readonly marginMs: number) {}

  wait(key: string, now: number): number {
    // A bucket that holds less than one token never lets a message through.
    if (!(this.burst >= 1)) return Infinity;
    const tokens = this.#tokens(key, now);
    return tokens >= 1 ? 0 : (1 - tokens) * this.intervalMs;
  }

  take(key: string, now: number): void {
    this.#state.set(key, { tokens: this.#tokens(key, now) - 1, since: now });
  }

  /** The call was answered: it may have reached Telegram only now, so no refill is credited for the flight. */
  settle(key: string, answeredAt: number): void {
    const state = this.#state.get(key);
    if (state) state.since = Math.max(state.since, answeredAt + this.marginMs);
  }

  sweep(now: number): void {
    for (const key of this.#state.keys()) if (this.#tokens(key, now) >= this.burst) this.#state.delete(key);
  }

  adopt(other: TokenBucket, key: string): void {
    const state = other.#state.get(key);
    if (state) this.#state.set(key, { ...state });
  }

  #tokens(key: string, now: number): number {
    const state = this.#state.get(key);
    // No interval: no per-chat pace (and no 0/0 to turn into NaN).
    if (!state || !(this.intervalMs > 0)) return this.burst;
    return Math.min(this.burst, state.tokens + Math.max(0, now - state.since) / this.intervalMs);
  }
}

export class Pacer {
  readonly #bots: SlidingWindow;
  readonly #groups: SlidingWindow;
  readonly #chats: TokenBucket;
  readonly #inFlight = new Set<string>();
  readonly #pausedUntil = new Map<string, number>();

  constructor(private readonly limits: DeliveryLimits) {
    this.#bots = new SlidingWindow(limits.botWindowMs, limits.safetyMarginMs);
    this.#groups = new SlidingWindow(limits.groupWindowMs, limits.safetyMarginMs);
    this.#chats = new TokenBucket(limits.chatBurst, limits.chatIntervalMs, limits.safetyMarginMs);
  }

  /** Milliseconds until `send` may start: 0 now, Infinity until a call in flight answers. */
  waitMs(send: PacedSend, now: number): number {
    return Math.max(this.botWaitMs(send, now), this.chatWaitMs(send, now));
  }

  /**
   * The chat's own part of {@link waitMs}: it changes only when this chat sends, and only
   * shrinks as time passes — the planner keeps a chat aside until then.
   */
  chatWaitMs(send: PacedSend, now: number): number {
    const chatKey = chatKeyOf(send);
    if (this.#inFlight.has(chatKey)) return Infinity;
    return Math.max(
      (this.#pausedUntil.get(chatKey) ?? 0) - now,
      this.#chats.wait(chatKey, now),
      isGroupChat(send.chatId) ? this.#groups.wait(chatKey, this.limits.groupMessagesPerWindow, now) : 0,
    );
  }

  /**
   * The bot-wide part of {@link waitMs}: while it is above 0 no message of this bot (of this
   * paid-ness) can start, whatever its chat — the planner skips the bot's chats then.
   */
  botWaitMs(send: PacedSend, now: number): number {
    const botLimit = send.paid ? this.limits.paidBroadcastMessagesPerWindow : this.limits.botMessagesPerWindow;
    return Math.max(0, (this.#pausedUntil.get(send.botId) ?? 0) - now, this.#bots.wait(send.botId, botLimit, now));
  }

  /** Counts `send` as started at `now`; only call when {@link waitMs} said 0. */
  begin(send: PacedSend, now: number): PaceTicket {
    const chatKey = chatKeyOf(send);
    this.#inFlight.add(chatKey);
    this.#chats.take(chatKey, now);
    return {
      botId: send.botId,
      chatKey,
      botSlot: this.#bots.take(send.botId, now),
      groupSlot: isGroupChat(send.chatId) ? this.#groups.take(chatKey, now) : null,
    };
  }

  /** Telegram answered (whatever it said) at `answeredAt`; also for a message that began but was not sent after all. */
  end(ticket: PaceTicket, answeredAt: number): void {
    ticket.botSlot.end = answeredAt;
    if (ticket.groupSlot) ticket.groupSlot.end = answeredAt;
    this.#chats.settle(ticket.chatKey, answeredAt);
    this.#inFlight.delete(ticket.chatKey);
  }

  /**
   * When each of the next `count` messages to `send`'s chat could start by the chat's own
   * limits (its pace, its group window, pauses), replayed on a copy of its state; the bot's
   * share is the caller's to add. The sender uses it to hand back rows that cannot go soon
   * with a close estimate of when they can.
   */
  forecast(send: PacedSend, count: number, now: number): number[] {
    const copy = new Pacer(this.limits);
    const chatKey = chatKeyOf(send);
    copy.#groups.adopt(this.#groups, chatKey, now);
    copy.#chats.adopt(this.#chats, chatKey);
    for (const key of [send.botId, chatKey]) copy.#pausedUntil.set(key, this.#pausedUntil.get(key) ?? 0);
    const starts: number[] = [];
    let at = now;
    for (let i = 0; i < count; i++) {
      at += copy.waitMs(send, at);
      copy.end(copy.begin(send, at), at);
      starts.push(at);
    }
    return starts;
  }

  /** Nothing more to this bot (429 with retry_after, a refused token) until `until`. */
  pauseBot(botId: string, until: number): void {
    this.#pausedUntil.set(botId, Math.max(until, this.#pausedUntil.get(botId) ?? 0));
  }

  pauseChat(botId: string, chatId: number, until: number): void {
    const key = chatKeyOf({ botId, chatId });
    this.#pausedUntil.set(key, Math.max(until, this.#pausedUntil.get(key) ?? 0));
  }

  /** Drops state that no longer limits anything; call now and then. */
  sweep(now: number): void {
    this.#bots.sweep(now);
    this.#groups.sweep(now);
    this.#chats.sweep(now);
    for (const [key, until] of this.#pausedUntil) if (until <= now) this.#pausedUntil.delete(key);
  }
}

/** One bot's chat: the key of per-chat pacing (limits are per bot token). */
export function chatKeyOf(send: { botId: string; chatId: number }): string {
  return `${send.botId}/${send.chatId}`;
}
