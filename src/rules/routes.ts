import { z } from 'zod';
import type { Api, Services } from '../http/types.js';
import { pageByCreation, pageQuery } from '../http/pagination.js';
import { createReplyRule, deleteReplyRule, getReplyRule, listReplyRules, replyRuleInput, updateReplyRule, type ReplyRuleInput } from './reply-rules.js';
import { noContent } from '../http/response-contract.js';
import { pageOf } from '../platform/contract.js';
import { replyRuleSchema } from './contract.js';

const ruleId = z.strictObject({ id: z.uuid() });
const oneRule = z.object({ rule: replyRuleSchema });

/**
 * The body of a PATCH: every field of a rule, optional, and without the create defaults
 * (a default would silently reset a field the caller did not send).
 */
const replyRulePatch = z.strictObject(Object.fromEntries(Object.entries(replyRuleInput.shape)
  .map(([key, schema]) => [key, (schema instanceof z.ZodDefault ? schema.unwrap() : schema).optional()])) as unknown as {
  [K in keyof typeof replyRuleInput.shape]: z.ZodOptional<z.ZodType<ReplyRuleInput[K]>>
}).refine((b) => Object.keys(b).length > 0, 'send at least one field');

const example = { name: 'Price', triggerType: 'keyword', trigger: 'price', templateId: '00000000-0000-4000-8000-000000000000' };

/** Reply rules (auto-replies, a Premium feature): CRUD, in the order they are tried. */
export function replyRuleRoutes(api: Api, services: Services): void {
  api.get('/api/reply-rules', {
    schema: {
      summary: 'Reply rules in creation order, with cursor pagination (`priority` decides which fires first)',
      tags: ['reply rules'],
      querystring: z.strictObject(pageQuery),
      response: { 200: pageOf(replyRuleSchema) },
    },
  }, async (request) => {
    const all = await services.db.withTenant(request.principal!.tenantId, (tx) => listReplyRules(tx));
    return pageByCreation(all, request.query.cursor, request.query.limit);
  });

  api.post('/api/reply-rules', {
    schema: { summary: 'Create a reply rule (keyword, regex or command → a reply template)', tags: ['reply rules'], body: replyRuleInput, response: { 201: oneRule } },
    config: { auth: 'admin', example },
  }, async (request, reply) => {
    const { tenantId, memberId } = request.principal!;
    return reply.status(201).send({ rule: await services.db.withTenant(tenantId, (tx) => createReplyRule(tx, request.body, memberId)) });
  });

  api.get('/api/reply-rules/:id', {
    schema: { summary: 'One reply rule', tags: ['reply rules'], params: ruleId, response: { 200: oneRule } },
    config: { resource: 'reply_rule' },
  }, async (request) => ({ rule: await services.db.withTenant(request.principal!.tenantId, (tx) => getReplyRule(tx, request.params.id)) }));

  api.patch('/api/reply-rules/:id', {
    schema: { summary: 'Change a reply rule (only the fields sent change)', tags: ['reply rules'], params: ruleId, body: replyRulePatch, response: { 200: oneRule } },
    config: { auth: 'admin', resource: 'reply_rule', example: { enabled: false } },
  }, async (request) => {
    const { tenantId, memberId } = request.principal!;
    return { rule: await services.db.withTenant(tenantId, (tx) => updateReplyRule(tx, request.params.id, request.body as Partial<ReplyRuleInput>, memberId)) };
  });

  api.delete('/api/reply-rules/:id', {
    schema: { summary: 'Delete a reply rule', tags: ['reply rules'], params: ruleId, response: { 204: noContent } },
    config: { auth: 'admin', resource: 'reply_rule' },
  }, async (request, reply) => {
    const { tenantId, memberId } = request.principal!;
    await services.db.withTenant(tenantId, (tx) => deleteReplyRule(tx, request.params.id, memberId));
    return reply.status(204).send();
  });
}
