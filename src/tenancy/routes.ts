import { z } from 'zod';
import type { Api, Services } from '../http/types.js';
import { listConfigs, updateConfig } from './configs.js';
import { listPlans } from './plans.js';
import { configValuesSchema, planSchema } from './contract.js';

/** Plans and typed tenant configuration, including the customer's `/api/config/update`. */
export function tenancyRoutes(api: Api, services: Services): void {
  api.get('/api/plans', {
    schema: { summary: 'The plans on sale, with their limits and features', tags: ['billing'], response: { 200: z.object({ plans: z.array(planSchema) }) } },
    config: { auth: 'public' },
  }, async () => ({ plans: await services.db.withoutTenant((tx) => listPlans(tx)) }));

  api.get('/api/config', {
    schema: { summary: 'Every configuration key with its current value (defaults filled in)', tags: ['config'], response: { 200: z.object({ config: configValuesSchema }) } },
  }, async (request) => ({ config: await services.db.withTenant(request.principal!.tenantId, (tx) => listConfigs(tx)) }));

  api.post('/api/config/update', {
    schema: {
      summary: 'Set one configuration key; the value is validated by the key’s own schema',
      tags: ['config'],
      body: z.strictObject({ config_key: z.string().min(1).max(64), config_value: z.unknown() }),
      response: { 200: z.object({ config_key: z.string(), config_value: z.unknown() }) },
    },
    config: { auth: 'admin' },
  }, async (request) => {
    const { tenantId, memberId } = request.principal!;
    const value = await services.db.withTenant(tenantId, (tx) => updateConfig(tx, request.body.config_key, request.body.config_value, memberId));
    return { config_key: request.body.config_key, config_value: value };
  });
}
