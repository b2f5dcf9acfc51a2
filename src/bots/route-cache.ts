import { Minute } from '../platform/time.js';

/** What a webhook call needs to know about its route: whose bot it is, and the secret to check. */
export interface WebhookRoute {
  tenantId: string;
  botId: string;
  telegramBotId: number;
  webhookSecret: string;
}

/**
 * Webhook routes this API process resolved recently. Without it every update costs a
 * route lookup, a credentials read and an AES-GCM open before the pipeline starts. A route
 * id and its secret never change for a bot row (reconnecting keeps them; a disconnected
 * bot gets a new row), so a cached entry can only be stale about the bot being
 * disconnected, which the pipeline checks inside its own transaction. Entries expire after
 * `ttlMs`; past `maxEntries` the oldest go first.
 */
export class WebhookRouteCache {
  readonly #entries = new Map<string, { route: WebhookRoute; expiresAt: number }>();

  constructor(readonly ttlMs = 10 * Minute, readonly maxEntries = 50_000) {}

  get(routeId: string, now = Date.now()): WebhookRoute | undefined {
    const entry = this.#entries.get(routeId);
    if (!entry) return undefined;
    if (entry.expiresAt > now) return entry.route;
    this.#entries.delete(routeId);
    return undefined;
  }

  set(routeId: string, route: WebhookRoute, now = Date.now()): void {
    this.#entries.delete(routeId);
    this.#entries.set(routeId, { route, expiresAt: now + this.ttlMs });
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.maxEntries) break;
      this.#entries.delete(oldest);
    }
  }
}
