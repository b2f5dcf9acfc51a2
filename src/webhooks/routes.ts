import { z } from 'zod';
import type { Api, Services } from '../http/types.js';
import { pageByCreation, pageQuery } from '../http/pagination.js';
import { findDeliveriesPage, queueWebhookEvents } from './deliveries.js';
import { startWebhookService, type WebhookService } from './webhook-service.js';
import { publicOnlyAgent } from './public-egress.js';
import { checkWebhookUrl } from './url-policy.js';
import { createWebhook, deleteWebhook, getWebhook, listWebhooks, updateWebhook, webhookEventTypes } from './webhooks.js';
import { noContent } from '../http/response-contract.js';
import { pageOf } from '../platform/contract.js';
import { webhookDeliverySchema, webhookSchema } from './contract.js';

const webhookId = z.strictObject({ id: z.uuid() });
const oneWebhook = z.object({ webhook: webhookSchema });
const events = z.array(z.enum(webhookEventTypes)).max(webhookEventTypes.length);
const url = z.string().trim().min(8).max(2048);
const description = z.string().trim().max(200).nullable();

/**
 * Outgoing webhooks (Premium): register, change, delete, see the delivery log, send a
 * test ping. Also runs this replica's webhook service (relay and dispatcher) while the
 * server is up.
 */
export function webhookRoutes(api: Api, services: Services): void {
  let service: WebhookService | undefined;
  api.addHook('onReady', async () => { service = startWebhookService({ ...services, egress: services.config.production ? publicOnlyAgent() : undefined }); });
  api.addHook('preClose', async () => { await service?.stop(); });
  const refresh = () => service?.refresh().catch((error) => services.log.error({ err: error }, 'webhook refresh failed'));

  api.get('/api/webhooks', {
    schema: { summary: 'Registered webhooks', tags: ['webhooks'], querystring: z.strictObject(pageQuery), response: { 200: pageOf(webhookSchema) } },
    config: { auth: 'admin' },
  }, async (request) => {
    const all = await services.db.withTenant(request.principal!.tenantId, (tx) => listWebhooks(tx));
    return pageByCreation(all, request.query.cursor, request.query.limit);
  });

  api.post('/api/webhooks', {
    schema: {
      summary: 'Register a webhook; the signing secret is in this response only',
      description: 'Each event is POSTed as JSON with `Kovan-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`; non-2xx answers are retried with exponential backoff.',
      tags: ['webhooks'],
      body: z.strictObject({ url, description: description.optional(), events: events.optional() }),
      response: { 201: oneWebhook.extend({ secret: z.string().describe('whsec_…: shown this once, never again') }) },
    },
    config: { auth: 'admin', example: { url: 'https://example.com/kovan-hook' } },
  }, async (request, reply) => {
    const { tenantId, memberId } = request.principal!;
    const input = { ...request.body, url: checkWebhookUrl(request.body.url, services.config.production) };
    const created = await services.db.withTenant(tenantId, (tx) => createWebhook(tx, services.secrets, input, memberId));
    await refresh();
    return reply.status(201).send({ webhook: created.webhook, secret: created.secret });
  });

  api.get('/api/webhooks/:id', {
    schema: { summary: 'One webhook', tags: ['webhooks'], params: webhookId, response: { 200: oneWebhook } },
    config: { auth: 'admin', resource: 'webhook' },
  }, async (request) => ({ webhook: await services.db.withTenant(request.principal!.tenantId, (tx) => getWebhook(tx, request.params.id)) }));

  api.patch('/api/webhooks/:id', {
    schema: {
      summary: 'Change a webhook’s URL, events, description, or enable/disable it',
      tags: ['webhooks'],
      params: webhookId,
      body: z.strictObject({ url: url.optional(), description: description.optional(), events: events.optional(), enabled: z.boolean().optional() })
        .refine((b) => Object.keys(b).length > 0, 'send at least one field'),
      response: { 200: oneWebhook },
    },
    config: { auth: 'admin', resource: 'webhook', example: { enabled: true } },
  }, async (request) => {
    const { tenantId, memberId } = request.principal!;
    const changes = { ...request.body, url: request.body.url === undefined ? undefined : checkWebhookUrl(request.body.url, services.config.production) };
    const webhook = await services.db.withTenant(tenantId, (tx) => updateWebhook(tx, request.params.id, changes, memberId));
    await refresh();
    return { webhook };
  });

  api.delete('/api/webhooks/:id', {
    schema: { summary: 'Delete a webhook and its delivery log', tags: ['webhooks'], params: webhookId, response: { 204: noContent } },
    config: { auth: 'admin', resource: 'webhook' },
  }, async (request, reply) => {
    const { tenantId, memberId } = request.principal!;
    await services.db.withTenant(tenantId, (tx) => deleteWebhook(tx, request.params.id, memberId));
    await refresh();
    return reply.status(204).send();
  });

  api.get('/api/webhooks/:id/deliveries', {
    schema: {
      summary: 'The delivery log: each event, its attempts, the receiver’s last answer',
      tags: ['webhooks'],
      params: webhookId,
      querystring: z.strictObject({ ...pageQuery, status: z.enum(['pending', 'sending', 'succeeded', 'failed']).optional() }),
      response: { 200: pageOf(webhookDeliverySchema) },
    },
    config: { auth: 'admin', resource: 'webhook' },
  }, async (request) => services.db.withTenant(request.principal!.tenantId, async (tx) => {
    await getWebhook(tx, request.params.id);
    return findDeliveriesPage(tx, request.params.id, request.query.status, request.query.cursor, request.query.limit);
  }));

  api.post('/api/webhooks/:id/ping', {
    schema: { summary: 'Queue a `ping` event to this webhook, to test the receiver and its signature check', tags: ['webhooks'], params: webhookId, response: { 202: z.object({ queued: z.number().int() }) } },
    config: { auth: 'admin', resource: 'webhook' },
  }, async (request, reply) => {
    const { tenantId, memberId } = request.principal!;
    const queued = await services.db.withTenant(tenantId, async (tx) => {
      await getWebhook(tx, request.params.id);
      const event = { type: 'ping' as never, at: new Date().toISOString(), data: { webhookId: request.params.id, by: memberId, nonce: crypto.randomUUID() } };
      return queueWebhookEvents(tx, [event], request.params.id);
    });
    void service?.dispatchNow();
    return reply.status(202).send({ queued });
  });
}
