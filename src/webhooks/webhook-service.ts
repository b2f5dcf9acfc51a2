import { subscribeEvents, type LiveEvent } from '../events/index.js';
import type { Cache } from '../platform/cache/index.js';
import type { Logger } from '../platform/log.js';
import { Second } from '../platform/time.js';
import { queueWebhookEvents } from './deliveries.js';
import { dispatchWebhooks, type DispatchDeps, type DispatchOptions } from './dispatcher.js';

export interface WebhookServiceDeps extends DispatchDeps {
  cache: Cache;
  log: Logger;
}

export interface WebhookServiceOptions {
  /** How often the set of tenants with webhooks is re-read. */
  refreshMs?: number;
  /** How often due deliveries (retries) are looked for; new events are sent at once. */
  dispatchIntervalMs?: number;
  dispatch?: DispatchOptions;
}

export interface WebhookService {
  /** Re-reads which tenants have webhooks now (also runs on its own every `refreshMs`). */
  refresh(): Promise<void>;
  /** Runs a dispatch pass now (also runs on its own). */
  dispatchNow(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Outgoing webhooks, running: follows the live-event channel of every tenant that has an
 * enabled webhook (through the cache's pub/sub, so events published by any process
 * arrive), queues each event durably for each webhook, and dispatches due deliveries.
 * Every API replica runs one; the deterministic event id and `SKIP LOCKED` claims keep
 * them from sending twice.
 */
export function startWebhookService(deps: WebhookServiceDeps, options: WebhookServiceOptions = {}): WebhookService {
  const refreshMs = options.refreshMs ?? 15 * Second;
  const dispatchIntervalMs = options.dispatchIntervalMs ?? 2 * Second;
  const subscriptions = new Map<string, Promise<() => Promise<void>>>();
  let stopped = false;
  let dispatching: Promise<void> | undefined;
  let again = false;

  const dispatchNow = async (): Promise<void> => {
    if (stopped) return;
    if (dispatching) {
      again = true;
      return dispatching;
    }
    dispatching = (async () => {
      do {
        again = false;
        try {
          await dispatchWebhooks(deps, options.dispatch);
        } catch (error) {
          if (!stopped) deps.log.error({ err: error }, 'webhook dispatch failed');
        }
      } while (again && !stopped);
    })().finally(() => { dispatching = undefined; });
    return dispatching;
  };

  const onEvent = (tenantId: string) => (event: LiveEvent) => {
    void deps.db.withTenant(tenantId, (tx) => queueWebhookEvents(tx, [event]))
      .then((queued) => (queued > 0 ? dispatchNow() : undefined))
      .catch((error) => { if (!stopped) deps.log.error({ err: error, tenant_id: tenantId }, 'webhook event could not be queued'); });
  };

  const refresh = async (): Promise<void> => {
    if (stopped) return;
    const tenants = new Set(await deps.db.withoutTenant(async (tx) =>
      (await tx.query<{ tenant_id: string }>('SELECT tenant_id FROM webhook_tenants()')).rows.map((r) => r.tenant_id)));
    for (const tenantId of tenants) {
      if (!subscriptions.has(tenantId)) subscriptions.set(tenantId, subscribeEvents(deps.cache, tenantId, onEvent(tenantId)));
    }
    for (const [tenantId, subscription] of subscriptions) {
      if (tenants.has(tenantId)) continue;
      subscriptions.delete(tenantId);
      await (await subscription)();
    }
  };

  const refreshTimer = setInterval(() => { refresh().catch((error) => { if (!stopped) deps.log.error({ err: error }, 'webhook refresh failed'); }); }, refreshMs);
  const dispatchTimer = setInterval(() => { void dispatchNow(); }, dispatchIntervalMs);
  refreshTimer.unref();
  dispatchTimer.unref();
  refresh().catch((error) => deps.log.error({ err: error }, 'webhook refresh failed'));

  return {
    refresh,
    dispatchNow,
    async stop() {
      stopped = true;
      clearInterval(refreshTimer);
      clearInterval(dispatchTimer);
      for (const subscription of subscriptions.values()) await (await subscription)().catch(() => {});
      subscriptions.clear();
      await dispatching;
    },
  };
}
