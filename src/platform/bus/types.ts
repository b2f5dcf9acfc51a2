/**
 * Messages between Kovan's processes: what the API tells the worker holding a tenant's
 * session (a bot connected, work queued), and live events for every API replica's
 * dashboards. Fire and forget: a subscriber that is not connected when a message is
 * published never sees it, so whatever depends on a message also has a periodic safety
 * net (the worker's reconcile, the outbox poll).
 *
 * Redis pub/sub when `REDIS_URL` is set; PostgreSQL `LISTEN/NOTIFY` when only
 * `DATABASE_URL` is; in one process (PGlite) an in-memory emitter. The same contract test
 * runs over all three (test/platform/bus.test.ts).
 */
export interface Bus {
  readonly kind: 'memory' | 'postgres' | 'redis';
  /** Sends `message` to every current subscriber of `channel`, in every process sharing the bus (this one too). */
  publish(channel: string, message: string): Promise<void>;
  /**
   * Calls `onMessage` for each message on `channel`. Once it resolves, messages published
   * afterwards are received (while the bus is reachable; after an outage it subscribes
   * again by itself). The returned function unsubscribes.
   */
  subscribe(channel: string, onMessage: (message: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export type MessageHandler = (message: string) => void;

/**
 * The handlers of each channel of one process: the part every bus shares. `add` and
 * `remove` say whether the channel was new or is now unused, so the bus subscribes to (or
 * leaves) the underlying channel exactly once.
 */
export class HandlerRegistry {
  readonly #handlers = new Map<string, Set<MessageHandler>>();

  add(channel: string, handler: MessageHandler): { first: boolean } {
    let set = this.#handlers.get(channel);
    const first = !set;
    if (!set) {
      set = new Set();
      this.#handlers.set(channel, set);
    }
    set.add(handler);
    return { first };
  }

  remove(channel: string, handler: MessageHandler): { last: boolean } {
    const set = this.#handlers.get(channel);
    if (!set?.delete(handler)) return { last: false };
    if (set.size > 0) return { last: false };
    this.#handlers.delete(channel);
    return { last: true };
  }

  channels(): string[] {
    return [...this.#handlers.keys()];
  }

  /** Calls the channel's handlers; one that throws does not keep the message from the others. */
  deliver(channel: string, message: string, onError: (error: unknown) => void = () => {}): void {
    for (const handler of [...(this.#handlers.get(channel) ?? [])]) {
      try {
        handler(message);
      } catch (error) {
        onError(error);
      }
    }
  }

  clear(): void {
    this.#handlers.clear();
  }
}
