import { Redis, ReplyError } from 'ioredis';
import { Second } from '../time.js';
import { MemoryCache } from './memory.js';
import { compareLogIds, type Cache } from './types.js';

/** XADD (capped, approximately) + expiry + PUBLISH of `<id> <message>`, atomically and in one round trip. */
const publishLoggedScript = `
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'm', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PUBLISH', KEYS[2], id .. ' ' .. ARGV[1])
return id`;

/** Longest a Redis command may take before it counts as Redis being unreachable. */
const commandTimeoutMs = Second;
/** After Redis failed, how long to go straight to the per-process fallback before trying it again. */
const breakerCooldownMs = 5 * Second;
/** Redis answered, but cannot serve now (still loading its data after a restart, a replica mid-failover). */
const notServing = /^(LOADING|BUSY|MASTERDOWN|READONLY|TRYAGAIN)\b/;

/**
 * The {@link Cache} shared by every API replica. Pub/sub needs a connection of its own
 * (a subscribed Redis connection can do nothing else), opened on first subscribe.
 *
 * Redis is a convenience, never a reason to fail a request. While it is unreachable (not
 * connected, a command timed out, or it answers LOADING and the like) every operation goes
 * at once to a per-process {@link MemoryCache}: counters (rate limits) count per process,
 * values are per process, published messages reach this process's subscribers only. A
 * circuit breaker keeps an unresponsive Redis from costing each request a timeout: after a
 * failure, Redis is skipped for a few seconds; the client reconnects by itself meanwhile.
 * docs/OPERATIONS.md describes what this means for a deployment.
 */
export class RedisCache implements Cache {
  readonly kind = 'redis' as const;
  readonly #client: Redis;
  #subscriber: Redis | undefined;
  readonly #handlers = new Map<string, Set<(message: string) => void>>();
  readonly #fallback = new MemoryCache();
  #skipUntil = 0;

  constructor(
    readonly url: string,
    /** Prefix for every key and channel, so several deployments (or test runs) can share one Redis. */
    readonly prefix = 'kovan:',
  ) {
    // No offline queue: a command while disconnected fails at once (and falls back) instead
    // of waiting for a reconnect that may never come.
    this.#client = new Redis(url, {
      lazyConnect: false, enableOfflineQueue: false, maxRetriesPerRequest: 1,
      commandTimeout: commandTimeoutMs, connectTimeout: 2 * commandTimeoutMs,
    });
    this.#client.on('error', () => {}); // reconnects by itself; ping() reports the state
    this.#client.on('ready', () => { this.#skipUntil = 0; });
  }

  /** True while commands go to Redis; false while the per-process fallback serves them. */
  get available(): boolean {
    return this.#client.status === 'ready' && Date.now() >= this.#skipUntil;
  }

  async get(key: string) {
    return this.#shared(async (redis) => (await redis.get(this.prefix + key)) ?? undefined, (local) => local.get(key));
  }

  async set(key: string, value: string, ttlMs: number) {
    await this.#shared(async (redis) => { await redis.set(this.prefix + key, value, 'PX', Math.max(1, Math.ceil(ttlMs))); }, (local) => local.set(key, value, ttlMs));
  }

  async delete(key: string) {
    await this.#shared(async (redis) => { await redis.del(this.prefix + key); }, (local) => local.delete(key));
  }

  async increment(key: string, windowMs: number) {
    const k = this.prefix + key;
    return this.#shared(async (redis) => {
      // INCR and the first PEXPIRE in one round trip; NX keeps the window fixed from the first hit.
      const result = await redis.multi().incr(k).pexpire(k, windowMs, 'NX').pttl(k).exec();
      const failed = result?.find(([error]) => error)?.[0];
      if (failed) throw failed;
      const count = Number(result?.[0]?.[1] ?? 0);
      const ttl = Number(result?.[2]?.[1] ?? windowMs);
      return { count, resetMs: ttl > 0 ? ttl : windowMs };
    }, (local) => local.increment(key, windowMs));
  }

  async publish(channel: string, message: string) {
    await this.#shared(async (redis) => { await redis.publish(this.prefix + channel, message); }, (local) => local.publish(channel, message));
  }

  async publishLogged(channel: string, message: string, options: { keep: number; ttlMs: number }) {
    return this.#shared(
      async (redis) => String(await redis.eval(publishLoggedScript, 2, this.#logKey(channel), this.prefix + channel, message, options.keep, options.ttlMs)),
      (local) => local.publishLogged(channel, message, options),
    );
  }

  async readLogAfter(channel: string, afterId: string, limit: number) {
    const key = this.#logKey(channel);
    return this.#shared(async (redis) => {
      const [oldest, after] = await Promise.all([
        redis.xrange(key, '-', '+', 'COUNT', 1),
        redis.xrange(key, `(${afterId}`, '+', 'COUNT', limit),
      ]);
      const complete = oldest.length > 0 && compareLogIds(oldest[0]![0], afterId) <= 0;
      return { entries: after.map(([id, fields]) => ({ id, message: fields[1] ?? '' })), complete };
    }, (local) => local.readLogAfter(channel, afterId, limit));
  }

  /**
   * Subscribes on Redis and on the per-process fallback, so messages arrive whichever of the
   * two a publisher used. While Redis is down the Redis subscription waits in the subscriber
   * connection's queue and is made when it returns.
   */
  async subscribe(channel: string, onMessage: (message: string) => void) {
    const subscriber = this.#subscriberConnection();
    const full = this.prefix + channel;
    let handlers = this.#handlers.get(full);
    if (!handlers) {
      handlers = new Set();
      this.#handlers.set(full, handlers);
      await this.#awaitWhileAvailable(subscriber.subscribe(full));
    }
    handlers.add(onMessage);
    const unsubscribeLocal = await this.#fallback.subscribe(channel, onMessage);
    return async () => {
      await unsubscribeLocal();
      handlers.delete(onMessage);
      if (handlers.size === 0) {
        this.#handlers.delete(full);
        await this.#awaitWhileAvailable(subscriber.unsubscribe(full));
      }
    };
  }

  async ping() {
    try {
      return (await this.#client.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  async close() {
    this.#subscriber?.disconnect();
    await this.#fallback.close();
    if (this.#client.status === 'ready') await this.#client.quit().catch(() => this.#client.disconnect());
    else this.#client.disconnect();
  }

  /**
   * Waits for a (un)subscribe while Redis is available, at most a command timeout: the
   * subscriber connection has no timeout of its own (its commands wait for a reconnect), and
   * a frozen Redis must not hold up the request that subscribes.
   */
  async #awaitWhileAvailable(command: Promise<unknown>): Promise<void> {
    command.catch(() => {});
    if (!this.available) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => { timer = setTimeout(resolve, commandTimeoutMs); });
    await Promise.race([command.then(() => {}, () => {}), timeout]);
    clearTimeout(timer);
  }

  /** Runs `op` on Redis while it is available, `fallback` on the per-process cache otherwise (see the class comment). */
  async #shared<T>(op: (redis: Redis) => Promise<T>, fallback: (local: MemoryCache) => Promise<T>): Promise<T> {
    if (!this.available) return fallback(this.#fallback);
    try {
      return await op(this.#client);
    } catch (error) {
      if (error instanceof ReplyError && !notServing.test((error as Error).message)) throw error; // Redis refused the command itself
      this.#skipUntil = Date.now() + breakerCooldownMs;
      return fallback(this.#fallback);
    }
  }

  #logKey(channel: string): string {
    return `${this.prefix}log:${channel}`;
  }

  #subscriberConnection(): Redis {
    if (!this.#subscriber) {
      // The subscriber keeps an offline queue and no command timeout: its SUBSCRIBEs wait for a reconnect.
      this.#subscriber = this.#client.duplicate({ enableOfflineQueue: true, commandTimeout: undefined, maxRetriesPerRequest: null });
      this.#subscriber.on('error', () => {});
      this.#subscriber.on('message', (channel: string, message: string) => {
        for (const handler of this.#handlers.get(channel) ?? []) handler(message);
      });
    }
    return this.#subscriber;
  }
}
