/** The shapes of a payment (or an upgrade request) and of a plan change as the API returns them: a contract module (docs/ARCHITECTURE.md, Layout). */
import { z } from 'zod';
import { instant } from '../platform/contract.js';
import { planCodes } from '../tenancy/contract.js';

export const paymentStatuses = ['pending', 'paid', 'cancelled', 'failed', 'refunded'] as const;
export type PaymentStatus = (typeof paymentStatuses)[number];

/** Why a request ended without a payment: replaced by a newer one, withdrawn, made moot by a downgrade, another plan set, declined. */
export const paymentNoteCodes = ['replaced', 'withdrawn', 'downgraded', 'other_plan', 'declined'] as const;
export type PaymentNoteCode = (typeof paymentNoteCodes)[number];

/**
 * What a tenant paid, or asked to pay, for a plan. Until a payment provider is wired, every
 * row is `manual`: an upgrade request waits `pending` until an operator confirms it (paid,
 * with the invoice or transfer reference) or rejects it (cancelled, with the reason).
 */
export const paymentSchema = z.object({
  id: z.uuid(),
  at: instant,
  planCode: z.enum(planCodes),
  /** Null: a custom price still to be agreed (Enterprise). */
  amountCents: z.number().int().nullable(),
  currency: z.string(),
  status: z.enum(paymentStatuses),
  method: z.enum(['manual', 'stars']),
  reference: z.string().nullable(),
  /** Why it was cancelled, in words (English, or the operator's own reason). */
  note: z.string().nullable(),
  /** The same as a code, so the Mini App can say it in the reader's language. */
  noteCode: z.enum(paymentNoteCodes).nullable(),
  paidAt: instant.nullable(),
}).meta({ id: 'Payment' });
export type Payment = z.output<typeof paymentSchema>;

/** `POST /api/subscription/change`: a downgrade applies at once (200); an upgrade waits for the operator (202). */
export const planChangeSchema = z.discriminatedUnion('applied', [
  z.object({ applied: z.literal(true), planCode: z.enum(planCodes), pausedGroups: z.number().int() }),
  z.object({
    applied: z.literal(false), payment: paymentSchema, message: z.string(),
    /** With a payment provider (docs/BILLING.md, not done yet): where to pay; the Mini App opens it. */
    checkoutUrl: z.url().optional(),
  }),
]).meta({ id: 'PlanChange' });
export type PlanChange = z.output<typeof planChangeSchema>;
