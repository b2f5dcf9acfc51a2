import type { TenantTx } from '../platform/db/index.js';
import { AppError, notFound } from '../platform/errors.js';
import { getTenantPlan, listPlans, recordAudit, type Plan, type PlanCode } from '../tenancy/index.js';
import { notifyTenant } from '../notify/index.js';
import { changePlan, type CustomLimits } from './change-plan.js';
import type { PlanChange } from './contract.js';
import { closePendingPayment, findPendingPayment, openPaymentRequest, recordManualPayment, type Payment } from './payments.js';

/** What a plan change did: `PlanChange` of the contract. */
export type PlanChangeResult = PlanChange;

/**
 * Plan changes of one tenant happen one at a time: the live subscription row is locked
 * first, so two requests at once (a double click, two owners) follow each other instead of
 * both opening a request and one failing on the one-pending-request index.
 */
async function lockSubscription(tx: TenantTx): Promise<void> {
  await tx.query(`SELECT 1 FROM subscriptions WHERE status <> 'cancelled' FOR UPDATE`);
}

async function planFor(tx: TenantTx, code: PlanCode): Promise<Plan> {
  const plan = (await listPlans(tx)).find((p) => p.code === code);
  if (!plan) throw new AppError('validation_failed', `There is no plan "${code}" on sale`, { fields: [{ field: 'plan', message: 'unknown plan' }] });
  return plan;
}

/**
 * A tenant owner picks another plan. A cheaper plan takes effect at once (groups beyond its
 * limit pause, a pending upgrade is dropped). A dearer one needs a payment first; with no
 * payment provider wired, it becomes a request an operator confirms once paid.
 */
export async function requestPlanChange(tx: TenantTx, code: PlanCode, memberId?: string): Promise<PlanChangeResult> {
  await lockSubscription(tx);
  const [current, target] = [await getTenantPlan(tx), await planFor(tx, code)];
  if (target.code === current.plan.code) throw new AppError('conflict', `You are already on the ${target.name} plan`);
  if (target.rank < current.plan.rank) {
    await closePendingPayment(tx, { status: 'cancelled', code: 'downgraded', note: `Replaced by the move to ${target.name}` });
    const { pausedGroups } = await changePlan(tx, target.code, { memberId });
    return { applied: true, planCode: target.code, pausedGroups };
  }
  const payment = await openPaymentRequest(tx, { planCode: target.code, amountCents: target.priceCents, currency: target.currency, memberId });
  await recordAudit(tx, { memberId, action: 'subscription.upgrade_requested', entity: 'payment', entityId: payment.id, after: { plan: target.code } });
  const message = target.priceCents === null
    ? `Your request for ${target.name} was sent: we will agree the price and limits with you, then switch the plan`
    : `Your request for ${target.name} was sent: the plan switches as soon as the payment is confirmed`;
  return { applied: false, payment, message };
}

/** The owner withdraws the open upgrade request. */
export async function cancelPlanRequest(tx: TenantTx, memberId?: string): Promise<Payment> {
  await lockSubscription(tx);
  const cancelled = await closePendingPayment(tx, { status: 'cancelled', code: 'withdrawn', note: 'Withdrawn by the tenant' });
  if (!cancelled) throw notFound('Pending plan request');
  await recordAudit(tx, { memberId, action: 'subscription.upgrade_withdrawn', entity: 'payment', entityId: cancelled.id });
  return cancelled;
}

export interface OperatorPlanDecision {
  plan: PlanCode;
  customLimits?: CustomLimits;
  /** The invoice or transfer reference of the payment received. */
  reference?: string;
  /** What was actually paid, when it differs from the list price (or the price is custom). */
  amountCents?: number;
}

/**
 * An operator sets a tenant's plan (runs in that tenant's scope). An open request for the
 * same plan is settled as paid; a request for another plan is cancelled. Without a request,
 * an amount records a payment taken outside Kovan. The tenant is told.
 */
export async function applyOperatorPlan(tx: TenantTx, decision: OperatorPlanDecision): Promise<{ pausedGroups: number; payment?: Payment }> {
  await lockSubscription(tx);
  const target = await planFor(tx, decision.plan);
  if (target.messagesPerDay === null && decision.customLimits?.messagesPerDay === undefined) {
    throw new AppError('validation_failed', `${target.name} has no standard daily limit: set the messages per day`, { fields: [{ field: 'messagesPerDay', message: `required for ${target.name}` }] });
  }
  const pending = await findPendingPayment(tx);
  let payment: Payment | undefined;
  if (pending && pending.planCode === target.code) {
    payment = await closePendingPayment(tx, { status: 'paid', reference: decision.reference, amountCents: decision.amountCents });
  } else {
    if (pending) await closePendingPayment(tx, { status: 'cancelled', code: 'other_plan', note: `The operator set the ${target.name} plan instead` });
    if (decision.amountCents !== undefined) payment = await recordManualPayment(tx, { planCode: target.code, amountCents: decision.amountCents, currency: target.currency, reference: decision.reference });
  }
  const { pausedGroups } = await changePlan(tx, target.code, { customLimits: decision.customLimits });
  await notifyTenant(tx, {
    event: 'payment', title: `Your plan is now ${target.name}`,
    body: payment ? `Payment received${payment.reference ? ` (${payment.reference})` : ''}: the ${target.name} plan is active.` : `The ${target.name} plan is active.`,
    data: { plan: target.code, paymentId: payment?.id ?? null },
  });
  return { pausedGroups, payment };
}

/** An operator turns the open request down; the tenant is told why. */
export async function rejectPlanRequest(tx: TenantTx, reason: string): Promise<Payment> {
  await lockSubscription(tx);
  const rejected = await closePendingPayment(tx, { status: 'cancelled', code: 'declined', note: reason });
  if (!rejected) throw notFound('Pending plan request');
  await notifyTenant(tx, { event: 'payment', title: 'Your plan request was declined', body: reason, data: { paymentId: rejected.id, plan: rejected.planCode } });
  return rejected;
}
