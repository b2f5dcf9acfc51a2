import { z } from 'zod';
import { publishEvents, signalSession } from '../events/index.js';
import type { Api, Services } from '../http/types.js';
import { Minute } from '../platform/time.js';
import { disconnectBot, getBot, listBots } from './bots.js';
import { connectBotAndStart } from './connect-and-start.js';
import { runSetupChecklist } from './setup-checklist.js';
import { botSchema, setupChecklistSchema } from './contract.js';
import { noContent } from '../http/response-contract.js';

const oneBot = z.object({ bot: botSchema });

const botId = z.strictObject({ id: z.uuid() });

/** The tenant's bots: connect with a token, status, the setup checklist, disconnect. */
export function botRoutes(api: Api, services: Services): void {
  const telegram = { secrets: services.secrets, apiRoot: services.config.TELEGRAM_API_ROOT, publicUrl: services.config.PUBLIC_URL };

  api.get('/api/bots', {
    schema: { summary: 'The connected bots with their status', tags: ['bots'], response: { 200: z.object({ bots: z.array(botSchema) }) } },
  }, async (request) => ({ bots: await services.db.withTenant(request.principal!.tenantId, (tx) => listBots(tx)) }));

  api.post('/api/bots', {
    schema: {
      summary: 'Connect a bot with its @BotFather token (checked with Telegram; stored encrypted, never shown again)',
      tags: ['bots'],
      body: z.strictObject({ token: z.string().trim().min(1).max(100) }),
      response: { 201: oneBot },
    },
    config: { auth: 'admin', rateLimit: { max: 20, windowMs: Minute, key: 'principal' } },
  }, async (request, reply) => {
    const { tenantId, memberId } = request.principal!;
    return reply.status(201).send({ bot: await connectBotAndStart(services, tenantId, memberId, request.body.token) });
  });

  api.get('/api/bots/:id', {
    schema: { summary: 'One bot: status, mode, last update and error', tags: ['bots'], params: botId, response: { 200: oneBot } },
    config: { resource: 'bot' },
  }, async (request) => ({ bot: await services.db.withTenant(request.principal!.tenantId, (tx) => getBot(tx, request.params.id)) }));

  api.get('/api/bots/:id/checklist', {
    schema: {
      summary: 'Setup checklist, checked live with Telegram: token, privacy mode, admin rights per group, webhook',
      tags: ['bots'],
      params: botId,
      response: { 200: z.object({ checklist: setupChecklistSchema }) },
    },
    config: { resource: 'bot', rateLimit: { max: 30, windowMs: Minute, key: 'principal' } },
  }, async (request) => ({ checklist: await runSetupChecklist({ db: services.db, ...telegram }, request.principal!.tenantId, request.params.id) }));

  api.delete('/api/bots/:id', {
    schema: { summary: 'Disconnect a bot: its token is wiped; groups and history stay', tags: ['bots'], params: botId, response: { 204: noContent } },
    config: { auth: 'admin', resource: 'bot' },
  }, async (request, reply) => {
    const { tenantId, memberId } = request.principal!;
    await services.db.withTenant(tenantId, (tx) => disconnectBot(tx, { ...telegram, log: services.log }, request.params.id, memberId));
    await signalSession(services.cache, tenantId, { botsChanged: true });
    await publishEvents(services.cache, tenantId, [{ type: 'bot_status', at: new Date().toISOString(), data: { botId: request.params.id, status: 'disconnected' } }]);
    return reply.status(204).send();
  });
}
