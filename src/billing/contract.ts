/** The shape of a payment (or an upgrade request) as the API returns it: a contract module (docs/ARCHITECTURE.md, Layout). */

import type { PlanCode } from '../tenancy/contract.js';

export type PaymentStatus = 'pending' | 'paid' | 'cancelled' | 'failed' | 'refunded';

/**
 * What a tenant paid, or asked to pay, for a plan. Until a payment provider is wired, every
 * row is `manual`: an upgrade request waits `pending` until an operator confirms it (paid,
 * with the invoice or transfer reference) or rejects it (cancelled, with the reason).
 */
export interface Payment {
  id: string;
  at: string;
  planCode: PlanCode;
  /** Null: a custom price still to be agreed (Enterprise). */
  amountCents: number | null;
  currency: string;
  status: PaymentStatus;
  method: 'manual' | 'stars';
  reference: string | null;
  /** Why it was cancelled, in words (English, or the operator's own reason). */
  note: string | null;
  /** The same as a code, so the Mini App can say it in the reader's language. */
  noteCode: PaymentNoteCode | null;
  paidAt: string | null;
}

/** Why a request ended without a payment: replaced by a newer one, withdrawn, made moot by a downgrade, another plan set, declined. */
export type PaymentNoteCode = 'replaced' | 'withdrawn' | 'downgraded' | 'other_plan' | 'declined';
