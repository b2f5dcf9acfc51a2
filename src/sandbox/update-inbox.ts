import type { Update } from 'grammy/types';
import type { BotApiError } from './errors.js';

/** The name of an update's payload field: "message", "callback_query", … */
export type UpdateType = Exclude<keyof Update, 'update_id'>;

/** Every update type Telegram knows; names outside this list in allowed_updates are ignored. */
export const updateTypes = [
  'message', 'edited_message', 'channel_post', 'edited_channel_post', 'business_connection',
  'business_message', 'edited_business_message', 'deleted_business_messages', 'message_reaction',
  'message_reaction_count', 'inline_query', 'chosen_inline_result', 'callback_query', 'shipping_query',
  'pre_checkout_query', 'purchased_paid_media', 'poll', 'poll_answer', 'my_chat_member', 'chat_member',
  'chat_join_request', 'chat_boost', 'removed_chat_boost',
] as const satisfies readonly UpdateType[];

type KnownUpdateType = (typeof updateTypes)[number];

/** Telegram's default subscription: everything except these three, which must be asked for. */
const optInUpdateTypes: ReadonlySet<KnownUpdateType> = new Set(['chat_member', 'message_reaction', 'message_reaction_count']);
const defaultAllowed: ReadonlySet<KnownUpdateType> = new Set(updateTypes.filter((type) => !optInUpdateTypes.has(type)));

interface QueuedUpdate {
  readonly update: Update;
  /** Updates with the same key (normally the chat) are delivered to a webhook one at a time, in order. */
  readonly orderingKey: number;
}

interface ParkedPoll {
  wake(): void;
  fail(error: BotApiError): void;
}

/**
 * A bot's pending updates, as Telegram keeps them between a push and the bot's confirmation.
 * Holds the allowed_updates subscription (applied when an update is created, as on Telegram, so
 * changing it does not filter updates already queued), getUpdates' offset semantics, and the one
 * long poll that may wait at a time.
 */
export class UpdateInbox {
  private queue: QueuedUpdate[] = [];
  /** Telegram starts a bot's update ids at an arbitrary positive number. */
  private nextUpdateId = 100_000_000 + Math.floor(Math.random() * 800_000_000);
  private allowed: ReadonlySet<string> = defaultAllowed;
  private parked: ParkedPoll | undefined;
  private readonly listeners = new Set<() => void>();

  /** Number of updates not yet confirmed (getUpdates) or delivered (webhook). */
  get pendingCount(): number {
    return this.queue.length;
  }

  /** The subscription, or undefined while it is Telegram's default (getWebhookInfo omits it then). */
  get allowedUpdates(): UpdateType[] | undefined {
    if (this.allowed === defaultAllowed) return undefined;
    return updateTypes.filter((type) => this.allowed.has(type));
  }

  /**
   * Applies an `allowed_updates` argument the way the Bot API does: missing, unparsable or non-array
   * values keep the previous subscription; an array naming no known type (e.g. `[]`) restores the
   * default; otherwise the named types become the subscription until changed again.
   */
  applyAllowedUpdates(raw: string | undefined): void {
    if (raw === undefined || raw === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return;
    }
    if (!Array.isArray(parsed) || !parsed.every((name) => typeof name === 'string')) return;
    const known = new Set(parsed.map((name: string) => name.toLowerCase()).filter((name) => (updateTypes as readonly string[]).includes(name)));
    this.allowed = known.size === 0 ? defaultAllowed : known;
  }

  /** Whether an update of this type would be queued at all. */
  accepts(type: UpdateType): boolean {
    return this.allowed.has(type);
  }

  /** Queues an update if the subscription allows its type; returns it, or undefined if filtered. */
  push<T extends UpdateType>(type: T, payload: NonNullable<Update[T]>, orderingKey: number): Update | undefined {
    if (!this.accepts(type)) return undefined;
    const update = { update_id: this.nextUpdateId++, [type]: structuredClone(payload) } as Update;
    this.queue.push({ update, orderingKey });
    if (this.parked) {
      // Telegram answers a waiting poll a moment after the first update so a burst goes out together.
      const poll = this.parked;
      setImmediate(() => poll.wake());
    }
    for (const listener of this.listeners) listener();
    return update;
  }

  /**
   * getUpdates' view: forgets every update below `offset` and returns up to `limit` of the rest.
   * A negative offset counts from the end of the queue; an offset beyond the newest update + 1 is
   * "from the future" and, as on Telegram, reads from the start without forgetting anything.
   */
  read(offset: number, limit: number): Update[] {
    const tail = this.nextUpdateId;
    const head = this.queue[0]?.update.update_id ?? tail;
    let from = offset;
    if (offset <= 0) {
      if (offset < 0 && this.queue.length > 0) from = tail + offset;
      from = Math.max(from, head);
    } else if (offset > tail) {
      from = head;
    }
    this.queue = this.queue.filter((queued) => queued.update.update_id >= from);
    return this.queue.slice(0, limit).map((queued) => queued.update);
  }

  /** Updates in delivery order with their ordering keys (for the webhook scheduler). */
  entries(): readonly QueuedUpdate[] {
    return this.queue;
  }

  /** Drops one update, after a webhook accepted it. */
  remove(updateId: number): void {
    this.queue = this.queue.filter((queued) => queued.update.update_id !== updateId);
  }

  /** drop_pending_updates. */
  clear(): void {
    this.queue = [];
  }

  /** Calls `listener` after every queued update; returns the unsubscribe function. */
  onPush(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Waits for the next update, at most `timeoutMs`, or until `signal` aborts (the client went
   * away). Only one poll may wait: a newer one terminates the older with the given conflict error,
   * exactly as Telegram answers the older request with 409.
   */
  park(timeoutMs: number, signal: AbortSignal, supersededError: () => BotApiError): Promise<void> {
    this.parked?.fail(supersededError());
    return new Promise<void>((resolve, reject) => {
      const settle = (outcome: () => void): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', poll.wake);
        if (this.parked === poll) this.parked = undefined;
        outcome();
      };
      const poll: ParkedPoll = {
        wake: () => settle(resolve),
        fail: (error) => settle(() => reject(error)),
      };
      const timer = setTimeout(poll.wake, timeoutMs);
      signal.addEventListener('abort', poll.wake, { once: true });
      this.parked = poll;
      if (signal.aborted) poll.wake();
    });
  }

  /** Ends the waiting poll, if any, with an error (setWebhook, revoked token) or with no updates. */
  releasePoll(error?: BotApiError): void {
    if (!this.parked) return;
    if (error) this.parked.fail(error);
    else this.parked.wake();
  }
}
