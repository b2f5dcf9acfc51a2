import { ReplyError, type Redis } from 'ioredis';
import { Second } from '../time.js';
import { MemoryBus } from './memory.js';
import { HandlerRegistry, type Bus } from './types.js';

/** Longest a Redis command may take before it counts as Redis being unreachable. */
export const redisCommandTimeoutMs = Second;
/** Redis answered, but cannot serve now (still loading its data after a restart, a replica mid-failover). */
export const redisNotServing = /^(LOADING|BUSY|MASTERDOWN|READONLY|TRYAGAIN)\b/;

/** Whether Redis may be used now, shared with the cache that owns the connection (one circuit breaker for both). */
export interface RedisGuard {
  available(): boolean;
  /** A command failed for want of Redis: go to the fallback for a while. */
  failed(): void;
}

/** True when `error` means Redis could not serve (not that it refused a wrong command). */
export function isRedisOutage(error: unknown): boolean {
  return !(error instanceof ReplyError) || redisNotServing.test((error as Error).message);
}

/**
 * Redis pub/sub. Publishing goes over the given client; subscribing needs a connection of
 * its own (a subscribed Redis connection can do nothing else), opened on first subscribe.
 * ioredis reconnects it after a loss and subscribes its channels again by itself.
 *
 * Redis being down never fails a publish: while it is unavailable messages go over the
 * per-process `fallback` bus, and every subscription listens on both, so a message arrives
 * whichever way it was sent (docs/OPERATIONS.md §6: signals then reach only this process).
 */
export class RedisBus implements Bus {
  readonly kind = 'redis' as const;
  #subscriber: Redis | undefined;
  readonly #handlers = new HandlerRegistry();

  constructor(
    readonly client: Redis,
    /** Prefix of every channel, so several deployments (or test runs) can share one Redis. */
    readonly prefix: string,
    readonly fallback: Bus = new MemoryBus(),
    /** The owner's circuit breaker; alone, the bus always tries Redis (and falls back when a publish fails). */
    readonly guard: RedisGuard = { available: () => true, failed: () => {} },
  ) {}

  async publish(channel: string, message: string) {
    if (!this.guard.available()) return this.fallback.publish(channel, message);
    try {
      await this.client.publish(this.prefix + channel, message);
    } catch (error) {
      if (!isRedisOutage(error)) throw error;
      this.guard.failed();
      await this.fallback.publish(channel, message);
    }
  }

  async subscribe(channel: string, onMessage: (message: string) => void) {
    const full = this.prefix + channel;
    const subscriber = this.#subscriberConnection();
    if (this.#handlers.add(full, onMessage).first) await this.#whileAvailable(subscriber.subscribe(full));
    const unsubscribeLocal = await this.fallback.subscribe(channel, onMessage);
    return async () => {
      await unsubscribeLocal();
      if (this.#handlers.remove(full, onMessage).last) await this.#whileAvailable(subscriber.unsubscribe(full));
    };
  }

  async close() {
    this.#handlers.clear();
    this.#subscriber?.disconnect();
    await this.fallback.close();
  }

  /**
   * Waits for a (un)subscribe while Redis is available, at most a command timeout: the
   * subscriber connection has no timeout of its own (its commands wait for a reconnect), and
   * a frozen Redis must not hold up the request that subscribes.
   */
  async #whileAvailable(command: Promise<unknown>): Promise<void> {
    command.catch(() => {});
    if (!this.guard.available()) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => { timer = setTimeout(resolve, redisCommandTimeoutMs); });
    await Promise.race([command.then(() => {}, () => {}), timeout]);
    clearTimeout(timer);
  }

  #subscriberConnection(): Redis {
    if (!this.#subscriber) {
      // The subscriber keeps an offline queue and no command timeout: its SUBSCRIBEs wait for a reconnect.
      this.#subscriber = this.client.duplicate({ enableOfflineQueue: true, commandTimeout: undefined, maxRetriesPerRequest: null });
      this.#subscriber.on('error', () => {}); // reconnects by itself
      this.#subscriber.on('message', (channel: string, message: string) => this.#handlers.deliver(channel, message));
    }
    return this.#subscriber;
  }
}
