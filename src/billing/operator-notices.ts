import type { Database } from '../platform/db/index.js';
import { notifyTenant } from '../notify/index.js';
import type { Payment } from './payments.js';

/**
 * Tells every operator tenant that a tenant asked for a plan (a notification in each
 * operator's own scope, e-mailed and sent by Telegram as its settings say), so a request
 * does not wait unseen in the operator's list. Returns the operator tenants told.
 */
export async function announcePlanRequest(db: Database, requester: { tenantId: string; name: string }, payment: Payment): Promise<string[]> {
  const operators = (await db.readWithoutTenant<{ tenant_id: string }>('SELECT tenant_id FROM billing_operator_tenants()'))
    .map((r) => r.tenant_id).filter((id) => id !== requester.tenantId);
  const price = payment.amountCents === null ? 'a custom price' : `${(payment.amountCents / 100).toFixed(2)} ${payment.currency}`;
  const [plan] = await db.readWithoutTenant<{ name: string }>('SELECT name FROM plans WHERE code = $1', [payment.planCode]);
  const planName = plan?.name ?? payment.planCode;
  for (const operator of operators) {
    await db.withTenant(operator, (tx) => notifyTenant(tx, {
      event: 'payment',
      title: `${requester.name} asks for the ${planName} plan`,
      body: `${requester.name} asked on ${new Date(payment.at).toISOString().slice(0, 10)} to move to ${planName} (${price}). Confirm it once paid, or decline it, in the Operator area.`,
      data: { tenantId: requester.tenantId, paymentId: payment.id, plan: payment.planCode },
      dedupeKey: `plan_request:${payment.id}`,
    }));
  }
  return operators;
}
