import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Sandbox } from '../../src/sandbox/index.js';
import { assertTelegramError, botWithUser, openSandbox } from './helpers.js';

const thirtyDays = 2_592_000;

describe('payments in Telegram Stars', () => {
  let sandbox: Sandbox;
  before(async () => {
    // The 10-second pre-checkout deadline lasts 1 s here.
    sandbox = await openSandbox({ limits: false, timeScale: 0.1 });
  });
  after(() => sandbox.close());

  const star = (amount: number) => [{ label: 'Access', amount }];

  test('invoices are checked as Telegram checks Star invoices', async () => {
    const { user, bot } = await botWithUser(sandbox, 'shop_bot');
    const invoice = (overrides: Record<string, unknown>) =>
      bot.api.raw.sendInvoice({ chat_id: user.id, title: 'Pro', description: 'Pro plan', payload: 'pro', currency: 'XTR', prices: star(50), ...overrides });
    await assertTelegramError(invoice({ provider_token: 'tok' }), 400, 'Bad Request: STARS_INVOICE_INVALID');
    await assertTelegramError(invoice({ prices: [...star(1), ...star(2)] }), 400, 'Bad Request: STARS_INVOICE_INVALID');
    await assertTelegramError(invoice({ payload: 'p'.repeat(129) }), 400, 'Bad Request: INVOICE_PAYLOAD_INVALID');
    await assertTelegramError(invoice({ currency: '' }), 400, 'Bad Request: parameter "currency" is required');
    await assertTelegramError(
      bot.api.createInvoiceLink('Pro', 'Pro plan', 'pro', '', 'XTR', star(50), { subscription_period: 3600 }),
      400,
      'Bad Request: SUBSCRIPTION_PERIOD_INVALID',
    );
    const sent = await invoice({});
    assert.deepEqual(sent.invoice, { title: 'Pro', description: 'Pro plan', start_parameter: '', currency: 'XTR', total_amount: 50 });
  });

  test('pay, confirm, refund: pre_checkout_query, successful_payment, refunded_payment', async () => {
    const { created, user, bot } = await botWithUser(sandbox, 'seller_bot');
    const message = await bot.api.sendInvoice(user.id, 'Pro', 'Pro plan', 'order-1', 'XTR', star(50));
    const paying = sandbox.userPaysInvoice(user.id, created.id, { messageId: message.message_id });
    const [checkout] = await bot.api.getUpdates({ timeout: 5 });
    const query = checkout?.pre_checkout_query;
    assert.deepEqual(
      { from: query?.from.id, currency: query?.currency, total: query?.total_amount, payload: query?.invoice_payload },
      { from: user.id, currency: 'XTR', total: 50, payload: 'order-1' },
    );
    await bot.api.answerPreCheckoutQuery(query?.id ?? '', true);
    const outcome = await paying;
    assert.equal(outcome.status, 'paid');
    const updates = await bot.api.getUpdates({ offset: (checkout?.update_id ?? 0) + 1 });
    const payment = updates[0]?.message?.successful_payment;
    assert.equal(payment?.total_amount, 50);
    assert.equal(payment?.invoice_payload, 'order-1');
    assert.equal(outcome.status === 'paid' && outcome.telegramPaymentChargeId, payment?.telegram_payment_charge_id);
    const chargeId = payment?.telegram_payment_charge_id ?? '';

    assert.equal(await bot.api.refundStarPayment(user.id, chargeId), true);
    const refunded = await bot.api.getUpdates({ offset: (updates[0]?.update_id ?? 0) + 1 });
    assert.equal(refunded[0]?.message?.refunded_payment?.telegram_payment_charge_id, chargeId);
    await assertTelegramError(bot.api.refundStarPayment(user.id, chargeId), 400, 'Bad Request: CHARGE_ALREADY_REFUNDED');
    await assertTelegramError(bot.api.refundStarPayment(user.id, 'stxUnknown'), 400, 'Bad Request: CHARGE_NOT_FOUND');
  });

  test('a 30-day subscription by invoice link, then canceled', async () => {
    const { created, user, bot } = await botWithUser(sandbox, 'subscription_bot');
    const link = await bot.api.createInvoiceLink('Monthly', 'Monthly plan', 'sub-1', '', 'XTR', star(100), { subscription_period: thirtyDays });
    assert.match(link, /^https:\/\/t\.me\/\$/);
    const paying = sandbox.userPaysInvoice(user.id, created.id, { invoiceLink: link });
    const [checkout] = await bot.api.getUpdates({ timeout: 5 });
    await bot.api.answerPreCheckoutQuery(checkout?.pre_checkout_query?.id ?? '', true);
    const outcome = await paying;
    assert.ok(outcome.status === 'paid');
    const payment = outcome.message.successful_payment;
    assert.equal(payment?.is_recurring, true);
    assert.equal(payment?.is_first_recurring, true);
    assert.ok(Math.abs((payment?.subscription_expiration_date ?? 0) - (Date.now() / 1000 + thirtyDays)) < 5);
    await bot.api.editUserStarSubscription(user.id, outcome.telegramPaymentChargeId, true);
    assert.equal(sandbox.subscriptionCanceled(outcome.telegramPaymentChargeId), true);
  });

  test('a declined or unanswered pre-checkout query fails the payment', async () => {
    const { created, user, bot } = await botWithUser(sandbox, 'picky_bot');
    const link = await bot.api.createInvoiceLink('Item', 'An item', 'item', '', 'XTR', star(5));
    const declined = sandbox.userPaysInvoice(user.id, created.id, { invoiceLink: link });
    const [first] = await bot.api.getUpdates({ timeout: 5 });
    await bot.api.answerPreCheckoutQuery(first?.pre_checkout_query?.id ?? '', false, { error_message: 'Sold out' });
    assert.deepEqual(await declined, { status: 'declined', errorMessage: 'Sold out' });

    const ignored = await sandbox.userPaysInvoice(user.id, created.id, { invoiceLink: link });
    assert.deepEqual(ignored, { status: 'timed-out' });
    const [late] = await bot.api.getUpdates({ offset: (first?.update_id ?? 0) + 1 });
    await assertTelegramError(
      bot.api.answerPreCheckoutQuery(late?.pre_checkout_query?.id ?? '', true),
      400,
      'Bad Request: query is too old and response timeout expired or query ID is invalid',
    );
  });
});
