import { z } from 'zod';
import type { Api, Services } from '../http/types.js';
import { pageQuery } from '../http/pagination.js';
import { findGroupsPage } from './group-pages.js';
import { getGroup, listGroups, updateGroup } from './groups.js';
import { leaveGroup } from './leave-group.js';
import { groupSettingsSchema } from './settings.js';
import { groupSchema } from './contract.js';
import { pageOf } from '../platform/contract.js';

const groupId = z.strictObject({ id: z.uuid() });
const oneGroup = z.object({ group: groupSchema });
const booleanParam = z.enum(['true', 'false']).transform((v) => v === 'true');

/** Groups: the customer's `/api/groups/list`, the paginated list, settings, enable/disable and leave. */
export function groupRoutes(api: Api, services: Services): void {
  api.get('/api/groups/list', {
    schema: { summary: 'Every group the bots are in (the customer’s original endpoint; unpaginated)', tags: ['groups'], response: { 200: z.object({ groups: z.array(groupSchema) }) } },
  }, async (request) => ({ groups: await services.db.withTenant(request.principal!.tenantId, (tx) => listGroups(tx)) }));

  api.get('/api/groups', {
    schema: {
      summary: 'Groups, by title, with cursor pagination and filters',
      tags: ['groups'],
      querystring: z.strictObject({
        ...pageQuery,
        bot_id: z.uuid().optional(),
        enabled: booleanParam.optional(),
        q: z.string().trim().min(1).max(100).optional(),
        include_removed: booleanParam.optional(),
      }),
      response: { 200: pageOf(groupSchema) },
    },
  }, async (request) => {
    const q = request.query;
    return services.db.withTenant(request.principal!.tenantId, (tx) =>
      findGroupsPage(tx, { botId: q.bot_id, enabled: q.enabled, search: q.q, includeRemoved: q.include_removed }, q.cursor, q.limit));
  });

  api.get('/api/groups/:id', {
    schema: { summary: 'One group with its effective settings', tags: ['groups'], params: groupId, response: { 200: oneGroup } },
    config: { resource: 'group' },
  }, async (request) => ({ group: await services.db.withTenant(request.principal!.tenantId, (tx) => getGroup(tx, request.params.id)) }));

  api.patch('/api/groups/:id', {
    schema: {
      summary: 'Enable or disable a group, or change its settings (only the fields sent change)',
      tags: ['groups'],
      params: groupId,
      body: z.strictObject({ enabled: z.boolean().optional(), settings: groupSettingsSchema.partial().optional() })
        .refine((b) => b.enabled !== undefined || b.settings !== undefined, 'send enabled and/or settings'),
      response: { 200: oneGroup },
    },
    config: { auth: 'admin', resource: 'group', example: { enabled: true } },
  }, async (request) => {
    const { tenantId, memberId } = request.principal!;
    return { group: await services.db.withTenant(tenantId, (tx) => updateGroup(tx, request.params.id, request.body, memberId)) };
  });

  api.post('/api/groups/:id/leave', {
    schema: { summary: 'Make the bot leave the group (through Telegram); the group is kept as removed', tags: ['groups'], params: groupId, response: { 200: oneGroup } },
    config: { auth: 'admin', resource: 'group' },
  }, async (request) => {
    const { tenantId, memberId } = request.principal!;
    const deps = { db: services.db, secrets: services.secrets, apiRoot: services.config.TELEGRAM_API_ROOT };
    return { group: await leaveGroup(deps, tenantId, request.params.id, memberId) };
  });
}
