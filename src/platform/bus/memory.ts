import { HandlerRegistry, type Bus } from './types.js';

/** The {@link Bus} of a single process (the embedded database serves only one). */
export class MemoryBus implements Bus {
  readonly kind = 'memory' as const;
  readonly #handlers = new HandlerRegistry();

  async publish(channel: string, message: string) {
    this.#handlers.deliver(channel, message);
  }

  async subscribe(channel: string, onMessage: (message: string) => void) {
    this.#handlers.add(channel, onMessage);
    return async () => { this.#handlers.remove(channel, onMessage); };
  }

  async close() {
    this.#handlers.clear();
  }
}
