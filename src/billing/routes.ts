import { z } from 'zod';
import type { Api, Services } from '../http/types.js';
import { Minute } from '../platform/time.js';
import { sendNoticesInBackground } from '../notify/index.js';
import { getTenant, planCodes } from '../tenancy/index.js';
import { idempotencyKeyHeaders, idempotentPost } from '../idempotency/index.js';
import { announcePlanRequest } from './operator-notices.js';
import { listPayments } from './payments.js';
import { cancelPlanRequest, requestPlanChange } from './plan-requests.js';
import { paymentSchema, planChangeSchema } from './contract.js';

/** The tenant's side of billing: the payment history and moving to another plan (owners). */
export function billingRoutes(api: Api, services: Services): void {
  api.get('/api/billing/payments', {
    schema: { summary: 'Payments and plan requests, newest first (at most 100)', tags: ['billing'], response: { 200: z.object({ payments: z.array(paymentSchema) }) } },
  }, async (request) => ({ payments: await services.db.withTenant(request.principal!.tenantId, (tx) => listPayments(tx)) }));

  api.post('/api/subscription/change', {
    schema: {
      summary: 'Move to another plan: a cheaper one applies at once (200); a dearer one becomes a request confirmed once paid (202)',
      tags: ['billing'],
      body: z.strictObject({ plan: z.enum(planCodes) }),
      headers: idempotencyKeyHeaders,
      response: { 200: planChangeSchema.describe('A cheaper plan: applied at once'), 202: planChangeSchema.describe('A dearer plan: a request, confirmed once paid') },
    },
    config: { auth: 'owner', example: { plan: 'basic' }, rateLimit: { max: 20, windowMs: Minute, key: 'principal' } },
  }, async (request, reply) => {
    const { tenantId, memberId } = request.principal!;
    let announce: (() => void) | undefined;
    return idempotentPost(services.db, request, reply, async (tx) => {
      const result = await requestPlanChange(tx, request.body.plan, memberId);
      if (!result.applied) {
        const name = (await getTenant(tx)).name;
        // The request is committed by then; telling the operators is best effort and never fails it.
        announce = () => {
          announcePlanRequest(services.db, { tenantId, name }, result.payment)
            .then((operators) => { for (const operator of operators) sendNoticesInBackground(services, operator); })
            .catch((error) => request.log.warn({ err: error }, 'operators were not told of the plan request'));
        };
      }
      return { status: result.applied ? 200 : 202, body: result };
    }, () => announce?.());
  });

  api.delete('/api/subscription/change', {
    schema: { summary: 'Withdraw the open plan request', tags: ['billing'], response: { 200: z.object({ cancelled: paymentSchema }) } },
    config: { auth: 'owner' },
  }, async (request) => {
    const { tenantId, memberId } = request.principal!;
    return { cancelled: await services.db.withTenant(tenantId, (tx) => cancelPlanRequest(tx, memberId)) };
  });
}
