import { z } from 'zod';
import { applyOperatorPlan, rejectPlanRequest } from '../billing/index.js';
import { pinTenantToPool, poolName } from '../fleet/index.js';
import type { Api, Services } from '../http/types.js';
import { sendNoticesInBackground } from '../notify/index.js';
import { recordAudit, planCodes, reachTenant } from '../tenancy/index.js';
import { getAdminTenant, listAdminTenants } from './tenant-overview.js';
import { paymentSchema } from '../billing/contract.js';
import { adminTenantSchema } from './contract.js';

const tenantParams = z.strictObject({ id: z.uuid() });
const oneTenant = z.object({ tenant: adminTenantSchema });

/**
 * The operator area's tenant management: the list of tenants, setting a tenant's plan (and
 * so confirming its upgrade request), declining a request, and pinning a tenant to a
 * worker pool. Operators are the admins of an operator tenant (`kovan operator grant`);
 * for anyone else other tenants' ids are 404s.
 */
export function operatorRoutes(api: Api, services: Services): void {
  /** In the operator's own scope: may it act on `targetId`, and does that tenant exist? */
  const checkTarget = (operatorTenantId: string, targetId: string, action: string) => services.db.withTenant(operatorTenantId, async (tx) => {
    await reachTenant(tx, targetId, { operatorOnly: action });
    await getAdminTenant(tx, targetId);
  });

  api.get('/api/admin/tenants', {
    schema: {
      summary: 'Every tenant with its plan, groups, usage today and open plan request (operators only)',
      tags: ['operator'],
      querystring: z.strictObject({
        q: z.string().trim().max(120).optional(),
        limit: z.coerce.number().int().min(1).max(200).default(50),
      }),
      response: { 200: z.object({ items: z.array(adminTenantSchema) }) },
    },
    config: { auth: 'admin' },
  }, async (request) => ({
    items: await services.db.withTenant(request.principal!.tenantId, (tx) => listAdminTenants(tx, { query: request.query.q, limit: request.query.limit })),
  }));

  api.post('/api/admin/tenants/:id/plan', {
    schema: {
      summary: "Set a tenant's plan and limits; settles its open request for that plan as paid (operators only)",
      tags: ['operator'],
      params: tenantParams,
      body: z.strictObject({
        plan: z.enum(planCodes),
        maxGroups: z.number().int().min(1).max(100_000).nullable().optional(),
        messagesPerDay: z.number().int().min(1).max(1_000_000).nullable().optional(),
        reference: z.string().trim().min(1).max(120).optional(),
        amountCents: z.number().int().min(0).max(100_000_000).optional(),
      }),
      response: { 200: oneTenant.extend({ pausedGroups: z.number().int() }) },
    },
    config: { auth: 'admin', resource: 'tenant', example: { plan: 'advanced' } },
  }, async (request) => {
    const { tenantId, memberId } = request.principal!;
    const { id } = request.params;
    const { plan, maxGroups, messagesPerDay, reference, amountCents } = request.body;
    await checkTarget(tenantId, id, 'change plans');
    const outcome = await services.db.withTenant(id, (tx) => applyOperatorPlan(tx, {
      plan, reference, amountCents,
      customLimits: { maxGroups: maxGroups ?? undefined, messagesPerDay: messagesPerDay ?? undefined },
    }));
    const tenant = await services.db.withTenant(tenantId, async (tx) => {
      await recordAudit(tx, { memberId, action: 'tenant.plan_set', entity: 'tenant', entityId: id, after: { plan, maxGroups, messagesPerDay, reference, paymentId: outcome.payment?.id } });
      return getAdminTenant(tx, id);
    });
    sendNoticesInBackground(services, id);
    return { tenant, pausedGroups: outcome.pausedGroups };
  });

  api.post('/api/admin/tenants/:id/pool', {
    schema: {
      summary: "Pin a tenant's sessions to a worker pool (a dedicated pool isolates it on its own workers; operators only)",
      tags: ['operator'],
      params: tenantParams,
      body: z.strictObject({ pool: z.string().regex(poolName, 'lower-case letters, digits and dashes, as WORKER_POOL is set') }),
      response: { 200: oneTenant },
    },
    config: { auth: 'admin', resource: 'tenant', example: { pool: 'shared' } },
  }, async (request) => {
    const { tenantId, memberId } = request.principal!;
    const { id } = request.params;
    await checkTarget(tenantId, id, 'move tenants between pools');
    await services.db.withTenant(id, (tx) => pinTenantToPool(tx, request.body.pool));
    const tenant = await services.db.withTenant(tenantId, async (tx) => {
      await recordAudit(tx, { memberId, action: 'tenant.pool_set', entity: 'tenant', entityId: id, after: { pool: request.body.pool } });
      return getAdminTenant(tx, id);
    });
    return { tenant };
  });

  api.post('/api/admin/tenants/:id/plan-request/reject', {
    schema: {
      summary: "Decline a tenant's open plan request, saying why (operators only)",
      tags: ['operator'],
      params: tenantParams,
      body: z.strictObject({ reason: z.string().trim().min(1).max(300) }),
      response: { 200: z.object({ payment: paymentSchema }) },
    },
    config: { auth: 'admin', resource: 'tenant', example: { reason: 'Payment not received' } },
  }, async (request) => {
    const { tenantId, memberId } = request.principal!;
    const { id } = request.params;
    await checkTarget(tenantId, id, 'decline plan requests');
    const payment = await services.db.withTenant(id, (tx) => rejectPlanRequest(tx, request.body.reason));
    await services.db.withTenant(tenantId, (tx) => recordAudit(tx, { memberId, action: 'tenant.plan_request_declined', entity: 'tenant', entityId: id, after: { paymentId: payment.id, reason: request.body.reason } }));
    sendNoticesInBackground(services, id);
    return { payment };
  });
}
