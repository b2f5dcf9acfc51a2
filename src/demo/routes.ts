import { z } from 'zod';
import { botSchema } from '../bots/contract.js';
import { connectBotAndStart } from '../bots/index.js';
import type { Api, Services } from '../http/types.js';
import { Minute } from '../platform/time.js';
import { SandboxControl } from '../try-it/sandbox-control.js';
import { demoGroupsSchema } from './contract.js';
import { addBotToDemoGroup, createTestBot, listDemoGroups } from './test-bots.js';

const oneBot = z.object({ bot: botSchema });

/** Demo mode's self-service: a test bot in one tap, and the sandbox's groups to add it to. */
export function demoRoutes(api: Api, services: Services): void {
  const control = new SandboxControl(services.config.TELEGRAM_API_ROOT);

  api.get('/api/demo/groups', {
    schema: {
      summary: 'Demo mode: the sandbox groups (and their simulated people) a bot can be added to; available=false outside demo mode',
      tags: ['demo'],
      response: { 200: demoGroupsSchema },
    },
  }, async (request) => listDemoGroups(services.db, control, request.principal!.tenantId));

  api.post('/api/demo/test-bot', {
    schema: {
      summary: 'Demo mode: create a bot in the Telegram sandbox and connect it, as @BotFather and a pasted token would',
      tags: ['demo'],
      response: { 201: oneBot },
    },
    config: { auth: 'admin', rateLimit: { max: 10, windowMs: Minute, key: 'principal' } },
  }, async (request, reply) => {
    const { tenantId, memberId } = request.principal!;
    const { token } = await createTestBot(control);
    return reply.status(201).send({ bot: await connectBotAndStart(services, tenantId, memberId, token) });
  });

  api.post('/api/demo/groups/:chatId/bots', {
    schema: {
      summary: 'Demo mode: add one of your bots to a sandbox group as an administrator',
      tags: ['demo'],
      params: z.strictObject({ chatId: z.coerce.number().int() }),
      body: z.strictObject({ bot_id: z.uuid() }),
      response: { 200: oneBot },
    },
    config: { auth: 'admin', resource: 'demo_group', example: { bot_id: '00000000-0000-4000-8000-000000000000' } },
  }, async (request) => ({ bot: await addBotToDemoGroup(services.db, control, request.principal!.tenantId, request.body.bot_id, request.params.chatId) }));
}
