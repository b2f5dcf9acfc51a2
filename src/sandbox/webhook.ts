import type { Update } from 'grammy/types';
import { backgroundTimer, unixTime } from './durations.js';
import type { UpdateInbox } from './update-inbox.js';

/** Where and how a bot's updates are pushed, as set by setWebhook. */
export interface WebhookSettings {
  readonly url: string;
  /** Sent back in `X-Telegram-Bot-Api-Secret-Token`; empty means no header. */
  readonly secretToken: string;
  /** Parallel requests, at most one per chat. */
  readonly maxConnections: number;
  readonly ipAddress: string | undefined;
}

/** Timings the deliverer uses, already scaled. */
export interface WebhookTimings {
  readonly responseTimeout: number;
  readonly firstRetryDelay: number;
  readonly maxRetryDelay: number;
  /** One second of a `Retry-After` header. */
  readonly retryAfterUnit: number;
}

/** A method call the webhook answered with (the "webhook reply" Telegram executes for the bot). */
export type WebhookReplyHandler = (method: string, params: Record<string, unknown>) => Promise<void>;

interface DeliveryState {
  failures: number;
  delay: number;
  retryAt: number;
  inFlight: boolean;
}

/** Methods Telegram refuses to run from a webhook reply. */
function isAllowedReply(method: string): boolean {
  const lower = method.toLowerCase();
  return !['deletewebhook', 'setwebhook', 'close', 'logout'].includes(lower) && !lower.startsWith('get');
}

/** Telegram's wording for transport failures in last_error_message. */
function describeFailure(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = (cause as { code?: string } | undefined)?.code;
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'Read timeout expired';
  if (code === 'ECONNREFUSED') return 'Connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'Failed to resolve host: Name or service not known';
  return 'Webhook connection closed';
}

/**
 * Pushes a bot's queued updates to its webhook like Telegram's WebhookActor: one request per update,
 * JSON body, the secret header; updates of one chat strictly one at a time and in order, other chats
 * in parallel up to max_connections. A non-2xx answer, a timeout or a broken connection keeps the
 * update queued and retries it — at once the first time, then after 2, 4, 8 … seconds (capped), or
 * after the webhook's Retry-After — and is reported by getWebhookInfo as last_error_*.
 */
export class WebhookDeliverer {
  private readonly states = new Map<number, DeliveryState>();
  private readonly inFlight = new Set<AbortController>();
  private unsubscribe: (() => void) | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Unix time and text of the latest failure, for getWebhookInfo. */
  lastError: { date: number; message: string } | undefined;

  constructor(
    readonly settings: WebhookSettings,
    private readonly inbox: UpdateInbox,
    private readonly timings: WebhookTimings,
    private readonly onReply: WebhookReplyHandler,
  ) {}

  /** Starts delivering what is queued now and whatever arrives later. */
  start(): void {
    this.unsubscribe = this.inbox.onPush(() => this.pump());
    this.pump();
  }

  /** Stops delivering; requests in flight are abandoned and their updates stay queued. */
  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    clearTimeout(this.retryTimer);
    for (const controller of this.inFlight) controller.abort();
  }

  private stateOf(updateId: number): DeliveryState {
    let state = this.states.get(updateId);
    if (!state) {
      state = { failures: 0, delay: 0, retryAt: 0, inFlight: false };
      this.states.set(updateId, state);
    }
    return state;
  }

  /** Sends every update that is due and allowed to go now. */
  private pump(): void {
    if (this.stopped) return;
    const now = Date.now();
    const busyKeys = new Set<number>();
    let nextRetryAt = Number.POSITIVE_INFINITY;
    for (const { update, orderingKey } of this.inbox.entries()) {
      if (busyKeys.has(orderingKey)) continue;
      busyKeys.add(orderingKey);
      const state = this.stateOf(update.update_id);
      if (state.inFlight) continue;
      if (state.retryAt > now) {
        nextRetryAt = Math.min(nextRetryAt, state.retryAt);
        continue;
      }
      if (this.inFlight.size >= this.settings.maxConnections) break;
      void this.deliver(update, state);
    }
    clearTimeout(this.retryTimer);
    if (Number.isFinite(nextRetryAt)) this.retryTimer = backgroundTimer(() => this.pump(), nextRetryAt - now);
  }

  private async deliver(update: Update, state: DeliveryState): Promise<void> {
    state.inFlight = true;
    const controller = new AbortController();
    this.inFlight.add(controller);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.settings.secretToken !== '') headers['x-telegram-bot-api-secret-token'] = this.settings.secretToken;
    let failure: string | undefined;
    let retryAfter: number | undefined;
    let reply: unknown;
    try {
      const response = await fetch(this.settings.url, {
        method: 'POST',
        headers,
        body: JSON.stringify(update),
        signal: AbortSignal.any([controller.signal, AbortSignal.timeout(this.timings.responseTimeout)]),
      });
      const body = await response.text();
      if (response.ok) {
        reply = parseReply(response.headers.get('content-type'), body);
      } else {
        failure = `Wrong response from the webhook: ${response.status} ${response.statusText}`;
        const header = Number(response.headers.get('retry-after'));
        if (header > 0) retryAfter = header;
      }
    } catch (error) {
      failure = describeFailure(error);
    } finally {
      this.inFlight.delete(controller);
      state.inFlight = false;
    }
    if (this.stopped) return;
    if (failure === undefined) {
      this.states.delete(update.update_id);
      this.inbox.remove(update.update_id);
      if (isMethodCall(reply) && isAllowedReply(reply.method)) {
        const { method, ...params } = reply;
        await this.onReply(method, params).catch(() => undefined);
      }
    } else {
      this.lastError = { date: unixTime(), message: failure };
      this.scheduleRetry(state, retryAfter);
    }
    this.pump();
  }

  private scheduleRetry(state: DeliveryState, retryAfterSeconds: number | undefined): void {
    if (retryAfterSeconds !== undefined) {
      state.retryAt = Date.now() + retryAfterSeconds * this.timings.retryAfterUnit;
    } else {
      state.delay = state.failures === 0 ? 0 : Math.min(Math.max(state.delay * 2, this.timings.firstRetryDelay), this.timings.maxRetryDelay);
      state.retryAt = Date.now() + state.delay;
    }
    state.failures += 1;
  }
}

function parseReply(contentType: string | null, body: string): unknown {
  if (!contentType?.includes('application/json') || body === '') return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

function isMethodCall(value: unknown): value is { method: string } & Record<string, unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { method?: unknown }).method === 'string';
}
