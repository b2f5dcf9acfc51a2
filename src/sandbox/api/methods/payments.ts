import type { LabeledPrice } from 'grammy/types';
import { Day, Second } from '../../durations.js';
import { badRequest, TelegramErrors } from '../../errors.js';
import { generateInvoiceLink } from '../../ids.js';
import type { InvoiceRecord, PaymentRecord } from '../../records.js';
import { privateChatView, userView } from '../../views.js';
import { resolveChat } from '../chat-access.js';
import type { MethodCall, MethodHandler } from '../method.js';
import { postAsBot, readReplyMarkup, readReplyTarget } from '../posting.js';

/** Telegram Stars. */
const starsCurrency = 'XTR';
/** The only subscription period Telegram accepts: 30 days, in seconds. */
export const starSubscriptionPeriod = (30 * Day) / Second;
const maxPayloadBytes = 128;

function readPrices(call: MethodCall): LabeledPrice[] {
  const prices = call.params.requiredJson('prices', 'prices');
  const valid =
    Array.isArray(prices) &&
    prices.length > 0 &&
    prices.every((price: Partial<LabeledPrice>) => typeof price?.label === 'string' && Number.isInteger(price.amount));
  if (!valid) throw badRequest("can't parse prices JSON object");
  return prices as LabeledPrice[];
}

/**
 * The invoice fields shared by sendInvoice and createInvoiceLink, checked as Telegram checks Star
 * invoices: empty provider_token, exactly one price, payload of 1–128 bytes, and a subscription
 * period (links only) of exactly 30 days.
 */
function readInvoice(call: MethodCall, allowSubscription: boolean): InvoiceRecord {
  const { params } = call;
  const title = params.requiredString('title');
  const description = params.requiredString('description');
  const payload = params.requiredString('payload');
  const currency = params.requiredString('currency').toUpperCase();
  const prices = readPrices(call);
  const providerToken = params.string('provider_token') ?? '';
  if (Buffer.byteLength(payload, 'utf8') > maxPayloadBytes) throw badRequest('INVOICE_PAYLOAD_INVALID');
  if (currency === starsCurrency) {
    if (providerToken !== '' || prices.length !== 1 || params.string('max_tip_amount') !== undefined) {
      throw badRequest('STARS_INVOICE_INVALID');
    }
  } else if (providerToken === '') {
    throw badRequest('PAYMENT_PROVIDER_INVALID');
  }
  const totalAmount = prices.reduce((sum, price) => sum + price.amount, 0);
  if (totalAmount <= 0) throw badRequest('CURRENCY_TOTAL_AMOUNT_INVALID');
  const period = allowSubscription ? params.int('subscription_period', 0) : 0;
  if (period !== 0 && (period !== starSubscriptionPeriod || currency !== starsCurrency)) {
    throw badRequest('SUBSCRIPTION_PERIOD_INVALID');
  }
  return {
    botId: call.bot.id,
    title,
    description,
    payload,
    currency,
    totalAmount,
    subscriptionPeriod: period === 0 ? undefined : period,
  };
}

export const sendInvoice: MethodHandler = (call) => {
  const invoice = readInvoice(call, false);
  const markup = readReplyMarkup(call.params);
  const target = resolveChat(call.core, call.bot, call.params.string('chat_id'), 'write');
  const message = postAsBot(call, target, {
    invoice: {
      title: invoice.title,
      description: invoice.description,
      start_parameter: call.params.string('start_parameter') ?? '',
      currency: invoice.currency,
      total_amount: invoice.totalAmount,
    },
    ...readReplyTarget(call.params, target),
    ...markup,
  });
  call.core.store.invoiceMessages.set(`${message.chat.id}/${message.message_id}`, invoice);
  return message;
};

export const createInvoiceLink: MethodHandler = (call) => {
  const invoice = readInvoice(call, true);
  const link = generateInvoiceLink();
  call.core.store.invoiceLinks.set(link, invoice);
  return link;
};

export const answerPreCheckoutQuery: MethodHandler = (call) => {
  const id = call.params.requiredString('pre_checkout_query_id');
  const pending = call.core.store.pendingPreCheckouts.get(id);
  if (!pending || pending.botId !== call.bot.id) throw TelegramErrors.queryTooOld();
  const ok = call.params.bool('ok');
  const errorMessage = ok ? '' : call.params.requiredString('error_message');
  call.core.store.pendingPreCheckouts.delete(id);
  pending.answer(ok ? { ok } : { ok, errorMessage });
  return true;
};

/** A payment this bot received from this user, or Telegram's CHARGE_NOT_FOUND. */
function findPayment(call: MethodCall): PaymentRecord {
  const userId = call.params.userId();
  const payment = call.core.store.payments.get(call.params.requiredString('telegram_payment_charge_id'));
  if (!payment || payment.botId !== call.bot.id || payment.userId !== userId) throw badRequest('CHARGE_NOT_FOUND');
  return payment;
}

export const refundStarPayment: MethodHandler = (call) => {
  const payment = findPayment(call);
  if (payment.refunded) throw badRequest('CHARGE_ALREADY_REFUNDED');
  payment.refunded = true;
  const user = call.core.store.requireUser(payment.userId);
  call.core.postToPrivate(call.core.store.privateChat(call.bot.id, user.id), {
    chat: privateChatView(user),
    from: userView(user),
    refunded_payment: {
      currency: payment.invoice.currency,
      total_amount: payment.invoice.totalAmount,
      invoice_payload: payment.invoice.payload,
      telegram_payment_charge_id: payment.chargeId,
    },
  });
  return true;
};

export const editUserStarSubscription: MethodHandler = (call) => {
  const payment = findPayment(call);
  if (payment.invoice.subscriptionPeriod === undefined) throw badRequest('SUBSCRIPTION_NOT_FOUND');
  payment.subscriptionCanceled = call.params.bool('is_canceled');
  return true;
};
