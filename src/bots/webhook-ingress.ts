import { z } from 'zod';
import type { Update } from 'grammy/types';
import type { Api, Services } from '../http/types.js';
import { constantTimeEqual } from '../platform/crypto.js';
import { AppError } from '../platform/errors.js';
import { publishEvents, signalSession } from '../events/index.js';
import { updatesReceived } from '../messaging/metrics.js';
import { handleUpdate } from '../messaging/pipeline.js';
import { openBotCredentials } from './bots.js';
import { WebhookRouteCache, type WebhookRoute } from './route-cache.js';

/**
 * Telegram's webhook calls for every tenant's bot. The path carries an opaque route id
 * (never the token); the per-bot secret comes back in `X-Telegram-Bot-Api-Secret-Token`
 * and is compared in constant time. The update runs through the same pipeline as polling,
 * then the tenant's session (on whichever worker holds it) is told to send what was queued.
 * Resolved routes are cached in the process (see {@link WebhookRouteCache}).
 */
export function webhookIngressRoutes(api: Api, services: Services): void {
  api.post('/tg/:routeId', {
    schema: {
      hide: true,
      params: z.strictObject({ routeId: z.string().regex(/^[A-Za-z0-9_-]{10,64}$/) }),
      body: z.looseObject({ update_id: z.number().int().nonnegative() }),
    },
    config: { auth: 'public' },
  }, async (request, reply) => {
    const route = await resolve(request.params.routeId);
    const secret = request.headers['x-telegram-bot-api-secret-token'];
    if (typeof secret !== 'string' || !constantTimeEqual(secret, route.webhookSecret)) throw new AppError('unauthenticated', 'Wrong webhook secret');
    const result = await services.db.withTenant(route.tenantId, (tx) =>
      handleUpdate(tx, { id: route.botId, telegramBotId: route.telegramBotId }, request.body as unknown as Update));
    updatesReceived.inc({ source: 'webhook' });
    await publishEvents(services.cache, route.tenantId, result.events);
    if (result.enqueued > 0 || result.followUps.length > 0) {
      await signalSession(services.cache, route.tenantId, { botId: route.botId, followUps: result.followUps });
    }
    return reply.status(200).send({ ok: true, duplicate: result.duplicate });
  });

  const routes = new WebhookRouteCache();
  async function resolve(routeId: string): Promise<WebhookRoute> {
    const cached = routes.get(routeId);
    if (cached) return cached;
    const [found] = await services.db.readWithoutTenant<{ tenant_id: string; bot_id: string }>('SELECT * FROM bot_find_route($1)', [routeId]);
    if (!found) throw new AppError('not_found', 'Unknown webhook');
    const bot = await services.db.withTenant(found.tenant_id, (tx) => openBotCredentials(tx, services.secrets, found.bot_id));
    const route = { tenantId: found.tenant_id, botId: bot.id, telegramBotId: bot.telegramBotId, webhookSecret: bot.webhookSecret };
    routes.set(routeId, route);
    return route;
  }
}
