import type { Redis } from 'ioredis';
import { HandlerRegistry, type Bus } from './types.js';

/**
 * Redis pub/sub. Publishing goes over the given client; subscribing needs a connection of
 * its own (a subscribed Redis connection can do nothing else), opened on first subscribe.
 * ioredis reconnects it after a loss and subscribes its channels again by itself.
 */
export class RedisBus implements Bus {
  readonly kind = 'redis' as const;
  #subscriber: Redis | undefined;
  readonly #handlers = new HandlerRegistry();

  constructor(
    readonly client: Redis,
    /** Prefix of every channel, so several deployments (or test runs) can share one Redis. */
    readonly prefix: string,
  ) {}

  async publish(channel: string, message: string) {
    await this.client.publish(this.prefix + channel, message);
  }

  async subscribe(channel: string, onMessage: (message: string) => void) {
    const full = this.prefix + channel;
    const subscriber = this.#subscriberConnection();
    if (this.#handlers.add(full, onMessage).first) await subscriber.subscribe(full);
    return async () => {
      if (this.#handlers.remove(full, onMessage).last) await subscriber.unsubscribe(full);
    };
  }

  async close() {
    this.#handlers.clear();
    this.#subscriber?.disconnect();
  }

  #subscriberConnection(): Redis {
    if (!this.#subscriber) {
      this.#subscriber = this.client.duplicate();
      this.#subscriber.on('error', () => {}); // reconnects by itself
      this.#subscriber.on('message', (channel: string, message: string) => this.#handlers.deliver(channel, message));
    }
    return this.#subscriber;
  }
}
