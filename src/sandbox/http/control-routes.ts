import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { SandboxCore } from '../core.js';
import { SandboxError } from '../errors.js';
import { faultSpecInput } from '../faults.js';
import { createBotInput, createUserInput } from '../world/accounts.js';
import { startPayload, userMessageInput } from '../world/conversations.js';
import { addBotInput, botRightsInput, createGroupInput, joinInput, joinRequestInput } from '../world/groups.js';
import { parseInput, telegramId } from '../world/input.js';
import { invoiceRefInput } from '../world/payments.js';
import type { SandboxWorld } from '../world/world.js';

const idParam = z.coerce.number().pipe(telegramId);
const userAndBot = z.object({ userId: telegramId, botId: telegramId });
const userAndChat = z.object({ userId: telegramId, chatId: telegramId });
const actor = z.object({ by: telegramId.optional() });

function jsonBody(request: FastifyRequest): unknown {
  const body = request.body;
  if (!Buffer.isBuffer(body) || body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new SandboxError('request body must be JSON');
  }
}

function body<S extends z.ZodType>(request: FastifyRequest, schema: S): z.output<S> {
  return parseInput(schema, jsonBody(request));
}

function pathId(request: FastifyRequest, name: string): number {
  return parseInput(idParam, (request.params as Record<string, string>)[name]);
}

function queryId(request: FastifyRequest, name: string): number | undefined {
  const value = (request.query as Record<string, string | undefined>)[name];
  return value === undefined ? undefined : parseInput(idParam, value);
}

function noContent(reply: FastifyReply): FastifyReply {
  return reply.code(204).send();
}

/**
 * The control API over HTTP, mirroring the in-process world for other processes (the product's
 * "Try it" panel, demos, manual poking). JSON in and out; bad input is a 400 with a message,
 * unknown ids a 404, conflicts (already a member, …) a 409. Documented in docs/SANDBOX.md.
 */
export function registerControlRoutes(app: FastifyInstance, core: SandboxCore, world: SandboxWorld): void {
  app.post('/sandbox/bots', async (request, reply) => reply.code(201).send(world.createBot(body(request, createBotInput))));
  app.post('/sandbox/bots/:botId/revoke', async (request) => world.revokeToken(pathId(request, 'botId')));
  app.post('/sandbox/users', async (request, reply) => reply.code(201).send(world.createUser(body(request, createUserInput))));
  app.get('/sandbox/groups', async () => world.listGroups());
  app.post('/sandbox/groups', async (request, reply) => reply.code(201).send(world.createGroup(body(request, createGroupInput))));

  app.post('/sandbox/groups/:chatId/bots', async (request) => {
    const { botId, ...options } = body(request, addBotInput.extend({ botId: telegramId }));
    return world.addBotToGroup(botId, pathId(request, 'chatId'), options);
  });
  app.post('/sandbox/groups/:chatId/bots/:botId/promote', async (request) =>
    world.promoteBot(pathId(request, 'botId'), pathId(request, 'chatId'), body(request, botRightsInput)),
  );
  app.post('/sandbox/groups/:chatId/bots/:botId/demote', async (request) =>
    world.demoteBot(pathId(request, 'botId'), pathId(request, 'chatId')),
  );
  app.delete('/sandbox/groups/:chatId/bots/:botId', async (request, reply) => {
    world.removeBotFromGroup(pathId(request, 'botId'), pathId(request, 'chatId'), queryId(request, 'by'));
    return noContent(reply);
  });
  app.post('/sandbox/groups/:chatId/migrate', async (request) =>
    world.migrateToSupergroup(pathId(request, 'chatId'), body(request, actor).by),
  );
  app.post('/sandbox/groups/:chatId/slow-mode', async (request, reply) => {
    world.setSlowMode(pathId(request, 'chatId'), body(request, z.object({ seconds: z.number().int() })).seconds);
    return noContent(reply);
  });

  app.post('/sandbox/messages', async (request, reply) => {
    const { userId, chatId, text, ...options } = body(request, userMessageInput.extend({ userId: telegramId, chatId: telegramId, text: z.string() }));
    return reply.code(201).send(world.userSendsMessage(userId, chatId, text, options));
  });
  app.post('/sandbox/starts', async (request, reply) => {
    const { userId, botId, payload } = body(request, userAndBot.extend({ payload: startPayload.optional() }));
    return reply.code(201).send(world.userStartsBot(userId, botId, payload));
  });
  app.post('/sandbox/blocks', async (request, reply) => {
    const { userId, botId } = body(request, userAndBot);
    world.userBlocksBot(userId, botId);
    return noContent(reply);
  });
  app.post('/sandbox/unblocks', async (request, reply) => {
    const { userId, botId } = body(request, userAndBot);
    world.userUnblocksBot(userId, botId);
    return noContent(reply);
  });
  app.post('/sandbox/joins', async (request, reply) => {
    const { userId, chatId, ...options } = body(request, userAndChat.extend(joinInput.shape));
    return reply.code(201).send(world.userJoins(userId, chatId, options));
  });
  app.post('/sandbox/leaves', async (request, reply) => {
    const { userId, chatId } = body(request, userAndChat);
    return reply.code(201).send(world.userLeaves(userId, chatId));
  });
  app.post('/sandbox/join-requests', async (request, reply) => {
    const { userId, chatId, ...options } = body(request, userAndChat.extend(joinRequestInput.shape));
    return reply.code(201).send(world.userRequestsToJoin(userId, chatId, options));
  });
  app.post('/sandbox/button-presses', async (request) => {
    const { userId, chatId, messageId, data, botId } = body(
      request,
      userAndChat.extend({ messageId: z.number().int().positive(), data: z.string(), botId: telegramId.optional() }),
    );
    const press = world.userPressesButton(userId, chatId, messageId, data, botId === undefined ? {} : { botId });
    return { callbackQueryId: press.callbackQueryId, answer: await press.answer };
  });
  app.post('/sandbox/payments', async (request) => {
    const { userId, botId, invoice } = body(request, userAndBot.extend({ invoice: invoiceRefInput }));
    return world.userPaysInvoice(userId, botId, invoice);
  });

  app.get('/sandbox/chats/:chatId/messages', async (request) =>
    world.chatMessages(pathId(request, 'chatId'), queryId(request, 'botId')),
  );
  app.get('/sandbox/calls', async (request) => {
    const method = (request.query as Record<string, string | undefined>).method;
    const botId = queryId(request, 'botId');
    const chatId = queryId(request, 'chatId');
    return core.calls.list({
      ...(botId === undefined ? {} : { botId }),
      ...(chatId === undefined ? {} : { chatId }),
      ...(method === undefined ? {} : { method }),
    });
  });
  app.delete('/sandbox/calls', async (_request, reply) => {
    world.clearCalls();
    return noContent(reply);
  });
  app.post('/sandbox/faults', async (request, reply) => {
    const { botId, ...spec } = body(request, z.intersection(z.object({ botId: telegramId }), faultSpecInput));
    world.failNext(botId, spec);
    return noContent(reply);
  });
  app.get('/sandbox/stats', async () => ({ rateLimitHits: core.rateLimitHits }));
  app.post('/sandbox/reset', async (_request, reply) => {
    world.reset();
    return noContent(reply);
  });
}
