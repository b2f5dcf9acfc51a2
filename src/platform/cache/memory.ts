import { EventEmitter } from 'node:events';
import type { Cache } from './types.js';

interface Entry {
  value: string;
  expiresAt: number;
}

/** The single-process {@link Cache}: a Map with lazy expiry and an EventEmitter bus. */
export class MemoryCache implements Cache {
  readonly kind = 'memory' as const;
  readonly #entries = new Map<string, Entry>();
  readonly #bus = new EventEmitter().setMaxListeners(0);
  readonly #sweeper = setInterval(() => this.#sweep(), 60_000).unref();

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
    this.#bus.emit(channel, message);
  }

  async subscribe(channel: string, onMessage: (message: string) => void) {
    this.#bus.on(channel, onMessage);
    return async () => { this.#bus.off(channel, onMessage); };
  }

  async ping() {
    return true;
  }

  async close() {
    clearInterval(this.#sweeper);
    this.#bus.removeAllListeners();
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
  }
}
