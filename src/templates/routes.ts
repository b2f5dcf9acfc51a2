import { z } from 'zod';
import type { Api, Services } from '../http/types.js';
import type { TenantTx } from '../platform/db/index.js';
import { pageByCreation, pageQuery } from '../http/pagination.js';
import { cheapestPlanWith, hasFeature } from '../tenancy/index.js';
import { groupPostVariables, isAdvancedTemplate, renderTemplate, sampleVariables, templateVariables, validateTemplate, type TemplateVariable, type TemplateVariables } from './render.js';
import { createTemplate, deleteTemplate, getTemplate, listTemplates, updateTemplate } from './templates.js';
import { previewSchema, templateSchema, templateVariableSchema } from './contract.js';
import { noContent } from '../http/response-contract.js';
import { pageOf } from '../platform/contract.js';

const templateId = z.strictObject({ id: z.uuid() });
const oneTemplate = z.object({ template: templateSchema });
const kind = z.enum(['message', 'invite', 'reply']);
const name = z.string().trim().min(1).max(80);
const content = z.string().min(1).max(4096);
const variableNames = Object.keys(templateVariables) as [keyof typeof templateVariables, ...Array<keyof typeof templateVariables>];

/** Templates: the customer's `/api/templates/list` and `/api/templates/update`, CRUD, variables and previews. */
export function templateRoutes(api: Api, services: Services): void {
  const inTenant = <T>(tenantId: string, fn: (tx: TenantTx) => Promise<T>) => services.db.withTenant(tenantId, fn);

  api.get('/api/templates/list', {
    schema: {
      summary: 'Every template (the customer’s original endpoint; unpaginated)',
      tags: ['templates'],
      querystring: z.strictObject({ kind: kind.optional() }),
      response: { 200: z.object({ templates: z.array(templateSchema) }) },
    },
  }, async (request) => ({ templates: await inTenant(request.principal!.tenantId, (tx) => listTemplates(tx, request.query.kind)) }));

  api.post('/api/templates/update', {
    schema: {
      summary: 'Replace a template’s content (the customer’s original endpoint); checked like every save',
      tags: ['templates'],
      body: z.strictObject({ template_id: z.uuid(), content }),
      response: { 200: oneTemplate },
    },
    config: { auth: 'admin', example: { template_id: '00000000-0000-4000-8000-000000000000', content: 'Hello {first_name}' } },
  }, async (request) => {
    const { tenantId, memberId } = request.principal!;
    return { template: await inTenant(tenantId, (tx) => updateTemplate(tx, request.body.template_id, { content: request.body.content }, memberId)) };
  });

  api.get('/api/templates/variables', {
    schema: {
      summary: 'The variables a template may use, with the sample values previews use; `scope=group_post`: those a schedule or broadcast fills per group',
      tags: ['templates'],
      querystring: z.strictObject({ scope: z.enum(['template', 'group_post']).default('template') }),
      response: { 200: z.object({ variables: z.array(templateVariableSchema) }) },
    },
  }, async (request) => ({
    variables: (request.query.scope === 'group_post' ? groupPostVariables : Object.keys(templateVariables) as TemplateVariable[]).map((name) => ({
      name, description: templateVariables[name], sample: String(sampleVariables[name]),
    })),
  }));

  api.post('/api/templates/preview', {
    schema: {
      summary: 'Render content with sample data (or the variables given), checked as a save would check it',
      tags: ['templates'],
      body: z.strictObject({
        content,
        variables: z.partialRecord(z.enum(variableNames), z.union([z.string().max(1024), z.number().finite()])).optional(),
      }),
      response: { 200: previewSchema },
    },
    config: { example: { content: 'Hello {first_name}' } },
  }, async (request) => {
    await validateTemplate(request.body.content);
    const advanced = isAdvancedTemplate(request.body.content);
    const variables: TemplateVariables = { ...sampleVariables, ...request.body.variables };
    const rendered = await renderTemplate(request.body.content, variables);
    const plan = advanced
      ? await inTenant(request.principal!.tenantId, async (tx) => ({ allowed: await hasFeature(tx, 'advanced_templates'), requiredPlan: await cheapestPlanWith(tx, 'advanced_templates') }))
      : { allowed: true, requiredPlan: undefined };
    return { rendered, parseMode: 'HTML' as const, advanced, allowedOnPlan: plan.allowed, ...(plan.allowed ? {} : { requiredPlan: plan.requiredPlan }) };
  });

  api.get('/api/templates', {
    schema: {
      summary: 'Templates in creation order, with cursor pagination',
      tags: ['templates'],
      querystring: z.strictObject({ ...pageQuery, kind: kind.optional() }),
      response: { 200: pageOf(templateSchema) },
    },
  }, async (request) => {
    const all = await inTenant(request.principal!.tenantId, (tx) => listTemplates(tx, request.query.kind));
    return pageByCreation(all, request.query.cursor, request.query.limit);
  });

  api.post('/api/templates', {
    schema: {
      summary: 'Create a message, invite or reply template',
      tags: ['templates'],
      body: z.strictObject({ kind, name, content }),
      response: { 201: oneTemplate },
    },
    config: { auth: 'admin', example: { kind: 'message', name: 'Welcome', content: 'Hello {first_name}' } },
  }, async (request, reply) => {
    const { tenantId, memberId } = request.principal!;
    return reply.status(201).send({ template: await inTenant(tenantId, (tx) => createTemplate(tx, request.body, memberId)) });
  });

  api.get('/api/templates/:id', {
    schema: { summary: 'One template', tags: ['templates'], params: templateId, response: { 200: oneTemplate } },
    config: { resource: 'template' },
  }, async (request) => ({ template: await inTenant(request.principal!.tenantId, (tx) => getTemplate(tx, request.params.id)) }));

  api.patch('/api/templates/:id', {
    schema: {
      summary: 'Rename a template or change its content',
      tags: ['templates'],
      params: templateId,
      body: z.strictObject({ name: name.optional(), content: content.optional() })
        .refine((b) => b.name !== undefined || b.content !== undefined, 'send name and/or content'),
      response: { 200: oneTemplate },
    },
    config: { auth: 'admin', resource: 'template', example: { content: 'Hello again {first_name}' } },
  }, async (request) => {
    const { tenantId, memberId } = request.principal!;
    return { template: await inTenant(tenantId, (tx) => updateTemplate(tx, request.params.id, request.body, memberId)) };
  });

  api.delete('/api/templates/:id', {
    schema: { summary: 'Delete a template nothing uses (409 names what still uses it)', tags: ['templates'], params: templateId, response: { 204: noContent } },
    config: { auth: 'admin', resource: 'template' },
  }, async (request, reply) => {
    const { tenantId, memberId } = request.principal!;
    await inTenant(tenantId, (tx) => deleteTemplate(tx, request.params.id, memberId));
    return reply.status(204).send();
  });
}
