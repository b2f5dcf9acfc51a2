import type { WebhookInfo } from 'grammy/types';
import { TelegramTimings } from '../../config.js';
import { competingPollConflict } from '../../core.js';
import { Second } from '../../durations.js';
import { badRequest, conflict } from '../../errors.js';
import type { WebhookSettings } from '../../webhook.js';
import { WebhookDeliverer } from '../../webhook.js';
import type { MethodCall, MethodHandler } from '../method.js';
import { DescribedResult } from '../method.js';
import type { ParamReader } from '../params.js';

/** Telegram caps a long poll at 50 seconds. */
const maxLongPollSeconds = 50;
const maxSecretTokenLength = 256;

export const getUpdates: MethodHandler = async (call) => {
  const { bot, params, core } = call;
  if (bot.webhook) {
    throw conflict("can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
  }
  const offset = params.int('offset', 0, -(2 ** 31), 2 ** 31 - 1);
  const limit = params.int('limit', 100, 1, 100);
  let timeoutMs = params.int('timeout', 0, 0, maxLongPollSeconds) * Second;
  bot.inbox.applyAllowedUpdates(params.string('allowed_updates'));

  // Telegram holds a repeated poll with the same offset for a while instead of letting it spin.
  const now = Date.now();
  const hold = core.config.scaled(TelegramTimings.repeatedPollHold);
  if (bot.lastPoll?.offset === offset && timeoutMs < hold && now < bot.lastPoll.at + hold) timeoutMs = hold;
  bot.lastPoll = { offset, at: now };

  const updates = bot.inbox.read(offset, limit);
  if (updates.length > 0 || timeoutMs === 0) return updates;
  await bot.inbox.park(timeoutMs, call.signal, competingPollConflict);
  return bot.inbox.read(offset, limit);
};

function readWebhookSettings(params: ParamReader, url: string): WebhookSettings {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw badRequest('invalid webhook URL specified');
  }
  // Telegram also demands HTTPS on ports 443, 80, 88 or 8443; the sandbox lets tests use local HTTP.
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw badRequest('invalid webhook URL specified');
  const secretToken = params.string('secret_token') ?? '';
  if (secretToken.length > maxSecretTokenLength) throw badRequest('secret token is too long');
  if (!/^[A-Za-z0-9_-]*$/.test(secretToken)) throw badRequest('secret token contains unallowed characters');
  return {
    url,
    secretToken,
    maxConnections: params.int('max_connections', 40, 1, 100),
    ipAddress: params.string('ip_address'),
  };
}

function sameSettings(a: WebhookSettings | undefined, b: WebhookSettings | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** setWebhook and deleteWebhook, which Telegram implements as one method with an empty URL. */
function configureWebhook(call: MethodCall, url: string): DescribedResult {
  const { bot, params, core } = call;
  const now = Date.now();
  if (url !== '') {
    const nextAllowed = bot.lastWebhookSetAt + core.config.scaled(TelegramTimings.setWebhookInterval);
    if (now < nextAllowed) throw core.tooManyRequests(nextAllowed - now);
    bot.lastWebhookSetAt = now;
  }
  const settings = url === '' ? undefined : readWebhookSettings(params, url);
  const dropPending = params.bool('drop_pending_updates');
  if (!dropPending && sameSettings(bot.webhook?.settings, settings)) {
    if (settings) bot.inbox.applyAllowedUpdates(params.string('allowed_updates'));
    return new DescribedResult(true, settings ? 'Webhook is already set' : 'Webhook is already deleted');
  }
  const hadWebhook = bot.webhook !== undefined;
  bot.webhook?.stop();
  bot.webhook = undefined;
  if (dropPending) bot.inbox.clear();
  if (!settings) return new DescribedResult(true, hadWebhook ? 'Webhook was deleted' : 'Webhook is already deleted');

  bot.inbox.releasePoll(conflict('terminated by setWebhook request'));
  bot.inbox.applyAllowedUpdates(params.string('allowed_updates'));
  const timings = {
    responseTimeout: core.config.scaled(TelegramTimings.webhookResponseTimeout),
    firstRetryDelay: core.config.scaled(TelegramTimings.webhookFirstRetryDelay),
    maxRetryDelay: core.config.scaled(TelegramTimings.webhookMaxRetryDelay),
    retryAfterUnit: core.config.scaled(TelegramTimings.retryAfterUnit),
  };
  bot.webhook = new WebhookDeliverer(settings, bot.inbox, timings, call.runAsBot);
  bot.webhook.start();
  return new DescribedResult(true, 'Webhook was set');
}

export const setWebhook: MethodHandler = (call) => configureWebhook(call, call.params.string('url') ?? '');

export const deleteWebhook: MethodHandler = (call) => configureWebhook(call, '');

/** The address Telegram reports: the one given to setWebhook, else the URL's host if it is an IP. */
function webhookIpAddress(settings: WebhookSettings): string | undefined {
  const host = new URL(settings.url).hostname;
  return settings.ipAddress ?? (/^[\d.]+$/.test(host) ? host : undefined);
}

export const getWebhookInfo: MethodHandler = ({ bot }): WebhookInfo => {
  const webhook = bot.webhook;
  const lastError = webhook?.lastError;
  const ipAddress = webhook ? webhookIpAddress(webhook.settings) : undefined;
  const allowedUpdates = bot.inbox.allowedUpdates;
  return {
    url: webhook?.settings.url ?? '',
    has_custom_certificate: false,
    pending_update_count: bot.inbox.pendingCount,
    ...(ipAddress === undefined ? {} : { ip_address: ipAddress }),
    ...(lastError ? { last_error_date: lastError.date, last_error_message: lastError.message } : {}),
    ...(webhook ? { max_connections: webhook.settings.maxConnections } : {}),
    ...(allowedUpdates ? { allowed_updates: allowedUpdates } : {}),
  };
};
