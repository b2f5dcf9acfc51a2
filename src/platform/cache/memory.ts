import { MemoryBus, type Bus } from '../bus/index.js';
import { compareLogIds, type Cache } from './types.js';

interface Entry {
  value: string;
  expiresAt: number;
}

/**
 * The {@link Cache} of a deployment without Redis: a Map with lazy expiry, kept per process.
 * Its pub/sub goes over the given bus: in-process by default, PostgreSQL `LISTEN/NOTIFY`
 * when several processes share a database, so signals and live events still cross them
 * (the event log for reconnecting clients stays per process).
 */
export class MemoryCache implements Cache {
  readonly kind = 'memory' as const;
  readonly #entries = new Map<string, Entry>();
  readonly #logs = new Map<string, { entries: Array<{ id: string; message: string }>; expiresAt: number }>();
  #lastLogMs = 0;
  #logSeq = 0;
  readonly #sweeper = setInterval(() => this.#sweep(), 60_000).unref();

  constructor(readonly bus: Bus = new MemoryBus()) {}

  async get(key: string) {
    return this.#live(key)?.value;
  }

  async set(key: string, value: string, ttlMs: number) {
    this.#entries.set(key, { value, expiresAt: Date.now() + ttlMs });
  }

  async delete(key: string) {
    this.#entries.delete(key);
  }

  async increment(key: string, windowMs: number) {
    const now = Date.now();
    const entry = this.#live(key) ?? { value: '0', expiresAt: now + windowMs };
    entry.value = String(Number(entry.value) + 1);
    this.#entries.set(key, entry);
    return { count: Number(entry.value), resetMs: entry.expiresAt - now };
  }

  async publish(channel: string, message: string) {
    await this.bus.publish(channel, message);
  }

  async publishLogged(channel: string, message: string, options: { keep: number; ttlMs: number }) {
    const now = Date.now();
    // Ids as Redis streams make them: milliseconds, then a sequence within the millisecond.
    if (now > this.#lastLogMs) {
      this.#lastLogMs = now;
      this.#logSeq = 0;
    } else {
      this.#logSeq += 1;
    }
    const id = `${this.#lastLogMs}-${this.#logSeq}`;
    const log = this.#logs.get(channel) ?? { entries: [], expiresAt: 0 };
    log.entries.push({ id, message });
    if (log.entries.length > options.keep) log.entries.splice(0, log.entries.length - options.keep);
    log.expiresAt = now + options.ttlMs;
    this.#logs.set(channel, log);
    await this.bus.publish(channel, `${id} ${message}`);
    return id;
  }

  async readLogAfter(channel: string, afterId: string, limit: number) {
    const log = this.#logs.get(channel);
    const entries = log && log.expiresAt > Date.now() ? log.entries : [];
    const complete = entries.length > 0 && compareLogIds(entries[0]!.id, afterId) <= 0;
    return { entries: entries.filter((e) => compareLogIds(e.id, afterId) > 0).slice(0, limit), complete };
  }

  subscribe(channel: string, onMessage: (message: string) => void) {
    return this.bus.subscribe(channel, onMessage);
  }

  async ping() {
    return true;
  }

  async close() {
    clearInterval(this.#sweeper);
    await this.bus.close();
  }

  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry && entry.expiresAt <= Date.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  #sweep() {
    for (const key of this.#entries.keys()) this.#live(key);
    for (const [channel, log] of this.#logs) if (log.expiresAt <= Date.now()) this.#logs.delete(channel);
  }
}
