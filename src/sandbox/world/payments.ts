import { z } from 'zod';
import type { SuccessfulPayment } from 'grammy/types';
import { TelegramTimings } from '../config.js';
import type { SandboxCore } from '../core.js';
import { backgroundTimer, Second, unixTime } from '../durations.js';
import { SandboxError } from '../errors.js';
import { generatePaymentChargeId, generateQueryId } from '../ids.js';
import type { InvoiceRecord } from '../records.js';
import type { ChatMessage, PreCheckoutAnswer } from '../store.js';
import { groupChatView, privateChatView, userView } from '../views.js';
import { parseInput, telegramId } from './input.js';

/** Which invoice the user pays: a createInvoiceLink link, or an invoice message (private chat unless chatId). */
export const invoiceRefInput = z.union([
  z.object({ invoiceLink: z.string().min(1) }),
  z.object({ messageId: z.number().int().positive(), chatId: telegramId.optional() }),
]);
export type InvoiceRef = z.input<typeof invoiceRefInput>;

/** How a payment attempt ended. */
export type PaymentOutcome =
  | { status: 'paid'; telegramPaymentChargeId: string; message: ChatMessage }
  | { status: 'declined'; errorMessage: string }
  | { status: 'timed-out' };

/** Users paying bots' invoices. */
export function paymentActions(core: SandboxCore) {
  const { store } = core;

  function findInvoice(userId: number, botId: number, ref: InvoiceRef): { invoice: InvoiceRecord; chatId: number } {
    const options = parseInput(invoiceRefInput, ref);
    const found =
      'invoiceLink' in options
        ? { invoice: store.invoiceLinks.get(options.invoiceLink), chatId: userId }
        : {
            invoice: store.invoiceMessages.get(`${options.chatId ?? userId}/${options.messageId}`),
            chatId: options.chatId ?? userId,
          };
    if (!found.invoice || found.invoice.botId !== botId) throw new SandboxError(`bot ${botId} has no such invoice`, 404);
    return { invoice: found.invoice, chatId: found.chatId };
  }

  function askPreCheckout(botId: number, userId: number, invoice: InvoiceRecord): Promise<PreCheckoutAnswer | undefined> {
    const bot = store.requireBot(botId);
    const user = store.requireUser(userId);
    const id = generateQueryId();
    const answer = new Promise<PreCheckoutAnswer | undefined>((resolve) => {
      const deadline = backgroundTimer(() => {
        store.pendingPreCheckouts.delete(id);
        resolve(undefined);
      }, core.config.scaled(TelegramTimings.preCheckoutDeadline));
      store.pendingPreCheckouts.set(id, {
        botId,
        answer: (result) => {
          clearTimeout(deadline);
          resolve(result);
        },
      });
    });
    core.deliver(
      bot,
      'pre_checkout_query',
      { id, from: userView(user), currency: invoice.currency, total_amount: invoice.totalAmount, invoice_payload: invoice.payload },
      userId,
    );
    return answer;
  }

  function recordSuccess(botId: number, userId: number, invoice: InvoiceRecord, chatId: number): { chargeId: string; message: ChatMessage } {
    const user = store.requireUser(userId);
    const chargeId = generatePaymentChargeId();
    store.payments.set(chargeId, { chargeId, botId, userId, invoice, refunded: false, subscriptionCanceled: false });
    const payment: SuccessfulPayment = {
      currency: invoice.currency,
      total_amount: invoice.totalAmount,
      invoice_payload: invoice.payload,
      telegram_payment_charge_id: chargeId,
      provider_payment_charge_id: '',
      ...(invoice.subscriptionPeriod === undefined
        ? {}
        : {
            subscription_expiration_date: unixTime(Date.now() + invoice.subscriptionPeriod * Second),
            is_recurring: true as const,
            is_first_recurring: true as const,
          }),
    };
    const from = userView(user);
    if (chatId < 0) {
      const group = store.requireGroup(chatId);
      return { chargeId, message: core.postToGroup(group, { chat: groupChatView(group), from, successful_payment: payment }, 'service') };
    }
    const chat = store.privateChat(botId, userId);
    chat.started = true;
    return { chargeId, message: core.postToPrivate(chat, { chat: privateChatView(user), from, successful_payment: payment }) };
  }

  return {
    /**
     * A user pays an invoice: the bot gets pre_checkout_query and has 10 (scaled) seconds to answer
     * answerPreCheckoutQuery; if it says ok, the chat gets a message with successful_payment
     * (telegram_payment_charge_id, and for subscriptions the expiration date).
     */
    async userPaysInvoice(userId: number, botId: number, ref: InvoiceRef): Promise<PaymentOutcome> {
      const { invoice, chatId } = findInvoice(userId, botId, ref);
      const answer = await askPreCheckout(botId, userId, invoice);
      if (!answer) return { status: 'timed-out' };
      if (!answer.ok) return { status: 'declined', errorMessage: answer.errorMessage };
      const { chargeId, message } = recordSuccess(botId, userId, invoice, chatId);
      return { status: 'paid', telegramPaymentChargeId: chargeId, message };
    },

    /** Whether a Star subscription was canceled with editUserStarSubscription. */
    subscriptionCanceled(telegramPaymentChargeId: string): boolean {
      const payment = store.payments.get(telegramPaymentChargeId);
      if (!payment) throw new SandboxError(`unknown payment ${telegramPaymentChargeId}`, 404);
      return payment.subscriptionCanceled;
    },
  };
}
