import { Redis } from 'ioredis';
import { isRedisOutage, RedisBus, redisCommandTimeoutMs } from '../bus/index.js';
import { Second } from '../time.js';
import { MemoryCache } from './memory.js';
import { compareLogIds, type Cache } from './types.js';

/** XADD (capped, approximately) + expiry + PUBLISH of `<id> <message>`, atomically and in one round trip. */
const publishLoggedScript = `
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'm', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PUBLISH', KEYS[2], id .. ' ' .. ARGV[1])
return id`;

const commandTimeoutMs = redisCommandTimeoutMs;
/** After Redis failed, how long to go straight to the per-process fallback before trying it again. */
const breakerCooldownMs = 5 * Second;

/**
 * The {@link Cache} shared by every API replica and worker; its pub/sub is a {@link RedisBus}.
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
  readonly #fallback = new MemoryCache();
  #skipUntil = 0;
  /** Pub/sub over Redis, with this cache's circuit breaker and per-process fallback. */
  readonly bus: RedisBus;

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
    this.bus = new RedisBus(this.#client, prefix, this.#fallback.bus, { available: () => this.available, failed: () => this.#trip() });
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

  publish(channel: string, message: string) {
    return this.bus.publish(channel, message);
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

  subscribe(channel: string, onMessage: (message: string) => void) {
    return this.bus.subscribe(channel, onMessage);
  }

  async ping() {
    try {
      return (await this.#client.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  async close() {
    await this.bus.close();
    if (this.#client.status === 'ready') await this.#client.quit().catch(() => this.#client.disconnect());
    else this.#client.disconnect();
  }

  /** Runs `op` on Redis while it is available, `fallback` on the per-process cache otherwise (see the class comment). */
  async #shared<T>(op: (redis: Redis) => Promise<T>, fallback: (local: MemoryCache) => Promise<T>): Promise<T> {
    if (!this.available) return fallback(this.#fallback);
    try {
      return await op(this.#client);
    } catch (error) {
      if (!isRedisOutage(error)) throw error; // Redis refused the command itself
      this.#trip();
      return fallback(this.#fallback);
    }
  }

  #trip(): void {
    this.#skipUntil = Date.now() + breakerCooldownMs;
  }

  #logKey(channel: string): string {
    return `${this.prefix}log:${channel}`;
  }
}
