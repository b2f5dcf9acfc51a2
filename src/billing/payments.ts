import type { TenantTx } from '../platform/db/index.js';
import type { PlanCode } from '../tenancy/index.js';
import type { Payment, PaymentNoteCode, PaymentStatus } from './contract.js';

export type { Payment, PaymentNoteCode, PaymentStatus } from './contract.js';



const paymentColumns = `id, created_at AS "at", plan_code AS "planCode", amount_cents AS "amountCents", currency, status, method,
  reference, note, note_code AS "noteCode", paid_at AS "paidAt"`;

/** The tenant's payments and requests, newest first. */
export async function listPayments(tx: TenantTx, limit = 100): Promise<Payment[]> {
  return (await tx.query<Payment>(`SELECT ${paymentColumns} FROM payments ORDER BY created_at DESC, id LIMIT $1`, [limit])).rows;
}

export async function findPendingPayment(tx: TenantTx): Promise<Payment | undefined> {
  return (await tx.query<Payment>(`SELECT ${paymentColumns} FROM payments WHERE status = 'pending'`)).rows[0];
}

/** Opens a request for `planCode` at its list price; an older open request is cancelled first. */
export async function openPaymentRequest(tx: TenantTx, input: { planCode: PlanCode; amountCents: number | null; currency: string; memberId?: string }): Promise<Payment> {
  await closePendingPayment(tx, { status: 'cancelled', code: 'replaced', note: 'Replaced by a newer request' });
  const { rows } = await tx.query<Payment>(
    `INSERT INTO payments (tenant_id, plan_code, amount_cents, currency, status, method, requested_by)
     VALUES ($1, $2, $3, $4, 'pending', 'manual', $5) RETURNING ${paymentColumns}`,
    [tx.tenantId, input.planCode, input.amountCents, input.currency, input.memberId ?? null]);
  return rows[0]!;
}

/** Ends the open request, if any, as paid or cancelled; returns it as it now stands. */
export async function closePendingPayment(
  tx: TenantTx,
  outcome: { status: 'paid'; reference?: string; amountCents?: number } | { status: 'cancelled'; code: PaymentNoteCode; note: string },
): Promise<Payment | undefined> {
  const paid = outcome.status === 'paid';
  const { rows } = await tx.query<Payment>(
    `UPDATE payments
        SET status = $1, decided_at = now(), paid_at = CASE WHEN $1 = 'paid' THEN now() END,
            reference = coalesce($2, reference), amount_cents = coalesce($3, amount_cents), note = $4, note_code = $5
      WHERE status = 'pending' RETURNING ${paymentColumns}`,
    [outcome.status, paid ? outcome.reference ?? null : null, paid ? outcome.amountCents ?? null : null, paid ? null : outcome.note, paid ? null : outcome.code]);
  return rows[0];
}

/** A payment an operator took outside Kovan (bank transfer, invoice) for a plan set directly. */
export async function recordManualPayment(tx: TenantTx, input: { planCode: PlanCode; amountCents: number; currency: string; reference?: string }): Promise<Payment> {
  const { rows } = await tx.query<Payment>(
    `INSERT INTO payments (tenant_id, plan_code, amount_cents, currency, status, method, reference, paid_at, decided_at)
     VALUES ($1, $2, $3, $4, 'paid', 'manual', $5, now(), now()) RETURNING ${paymentColumns}`,
    [tx.tenantId, input.planCode, input.amountCents, input.currency, input.reference ?? null]);
  return rows[0]!;
}
