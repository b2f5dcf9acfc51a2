import { Redis } from 'ioredis';
import { RedisBus } from '../bus/index.js';
import { compareLogIds, type Cache } from './types.js';

/** XADD (capped, approximately) + expiry + PUBLISH of `<id> <message>`, atomically and in one round trip. */
const publishLoggedScript = `
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'm', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PUBLISH', KEYS[2], id .. ' ' .. ARGV[1])
return id`;

/** The {@link Cache} shared by every API replica and worker; its pub/sub is a {@link RedisBus}. */
export class RedisCache implements Cache {
  readonly kind = 'redis' as const;
  readonly #client: Redis;
  readonly bus: RedisBus;

  constructor(
    readonly url: string,
    /** Prefix for every key and channel, so several deployments (or test runs) can share one Redis. */
    readonly prefix = 'kovan:',
  ) {
    this.#client = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 3 });
    this.#client.on('error', () => {}); // reconnects by itself; ping() reports the state
    this.bus = new RedisBus(this.#client, prefix);
  }

  async get(key: string) {
    return (await this.#client.get(this.prefix + key)) ?? undefined;
  }

  async set(key: string, value: string, ttlMs: number) {
    await this.#client.set(this.prefix + key, value, 'PX', Math.max(1, Math.ceil(ttlMs)));
  }

  async delete(key: string) {
    await this.#client.del(this.prefix + key);
  }

  async increment(key: string, windowMs: number) {
    const k = this.prefix + key;
    // INCR and the first PEXPIRE in one round trip; NX keeps the window fixed from the first hit.
    const result = await this.#client.multi().incr(k).pexpire(k, windowMs, 'NX').pttl(k).exec();
    const count = Number(result?.[0]?.[1] ?? 0);
    const ttl = Number(result?.[2]?.[1] ?? windowMs);
    return { count, resetMs: ttl > 0 ? ttl : windowMs };
  }

  publish(channel: string, message: string) {
    return this.bus.publish(channel, message);
  }

  async publishLogged(channel: string, message: string, options: { keep: number; ttlMs: number }) {
    return String(await this.#client.eval(publishLoggedScript, 2, this.#logKey(channel), this.prefix + channel, message, options.keep, options.ttlMs));
  }

  async readLogAfter(channel: string, afterId: string, limit: number) {
    const key = this.#logKey(channel);
    const [oldest, after] = await Promise.all([
      this.#client.xrange(key, '-', '+', 'COUNT', 1),
      this.#client.xrange(key, `(${afterId}`, '+', 'COUNT', limit),
    ]);
    const complete = oldest.length > 0 && compareLogIds(oldest[0]![0], afterId) <= 0;
    return { entries: after.map(([id, fields]) => ({ id, message: fields[1] ?? '' })), complete };
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
    await this.#client.quit().catch(() => this.#client.disconnect());
  }

  #logKey(channel: string): string {
    return `${this.prefix}log:${channel}`;
  }
}
