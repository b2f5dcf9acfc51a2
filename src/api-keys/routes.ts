import { z } from 'zod';
import type { Api, Services } from '../http/types.js';
import { pageByCreation, pageQuery } from '../http/pagination.js';
import { isoDateParam } from '../http/date-range.js';
import { checkKeyExpiry, createApiKey, getApiKey, listApiKeys, revokeApiKey } from './api-keys.js';
import { enforceApiKeyBudget } from './rate-limit.js';
import { pageOf } from '../platform/contract.js';
import { apiKeySchema } from './contract.js';

const keyId = z.strictObject({ id: z.uuid() });
const oneKey = z.object({ apiKey: apiKeySchema });

/**
 * API keys (Premium): owners create, list and revoke them. Also installs the per-key
 * request budget on every route, after authentication has resolved the key.
 */
export function apiKeyRoutes(api: Api, services: Services): void {
  api.addHook('onRequest', async (request, reply) => enforceApiKeyBudget(services.cache, request, reply));

  api.get('/api/api-keys', {
    schema: { summary: 'API keys (prefix and last four characters; never the key)', tags: ['api keys'], querystring: z.strictObject(pageQuery), response: { 200: pageOf(apiKeySchema) } },
    config: { auth: 'owner' },
  }, async (request) => {
    const all = await services.db.withTenant(request.principal!.tenantId, (tx) => listApiKeys(tx));
    return pageByCreation(all, request.query.cursor, request.query.limit);
  });

  api.post('/api/api-keys', {
    schema: {
      summary: 'Create an API key; the key is in this response only. Use it as Authorization: Bearer <key>',
      tags: ['api keys'],
      body: z.strictObject({
        name: z.string().trim().min(1).max(80),
        scopes: z.array(z.enum(['read', 'write'])).min(1).max(2),
        expires_at: isoDateParam.optional(),
        rate_limit_per_minute: z.number().int().min(1).max(6000).optional(),
      }),
      response: { 201: oneKey.extend({ key: z.string().describe('kvk_…: shown this once, never again') }) },
    },
    config: { auth: 'owner', example: { name: 'CI', scopes: ['read'] } },
  }, async (request, reply) => {
    const { tenantId, memberId } = request.principal!;
    const expiresAt = request.body.expires_at ? new Date(Date.parse(request.body.expires_at)) : undefined;
    checkKeyExpiry(expiresAt);
    const created = await services.db.withTenant(tenantId, (tx) => createApiKey(tx, {
      name: request.body.name, scopes: request.body.scopes, expiresAt, rateLimitPerMinute: request.body.rate_limit_per_minute,
    }, memberId));
    return reply.status(201).send({ apiKey: created.apiKey, key: created.token });
  });

  api.get('/api/api-keys/:id', {
    schema: { summary: 'One API key: scopes, expiry, last use, revocation', tags: ['api keys'], params: keyId, response: { 200: oneKey } },
    config: { auth: 'owner', resource: 'api_key' },
  }, async (request) => ({ apiKey: await services.db.withTenant(request.principal!.tenantId, (tx) => getApiKey(tx, request.params.id)) }));

  api.delete('/api/api-keys/:id', {
    schema: { summary: 'Revoke an API key; it stops working at once', tags: ['api keys'], params: keyId, response: { 200: oneKey } },
    config: { auth: 'owner', resource: 'api_key' },
  }, async (request) => {
    const { tenantId, memberId } = request.principal!;
    return { apiKey: await services.db.withTenant(tenantId, (tx) => revokeApiKey(tx, request.params.id, memberId)) };
  });
}
