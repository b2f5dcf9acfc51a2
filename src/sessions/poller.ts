import type { Logger } from '../platform/log.js';
import { Second, sleep } from '../platform/time.js';
import { TelegramCallError, type TelegramFailure } from '../bots/telegram-errors.js';
import type { TelegramClient } from '../bots/telegram-client.js';
import { allowedUpdates } from '../messaging/pipeline.js';
import type { Update } from 'grammy/types';
import { LeaseLostError } from '../platform/fencing.js';

export interface PollerOptions {
  client: TelegramClient;
  startOffset: number;
  timeoutSeconds: number;
  log: Logger;
  /** Handles one update; throwing stops nothing: the update is logged and skipped after retries. */
  onUpdate(update: Update): Promise<void>;
  /** A failure the poller cannot fix by waiting (token revoked). The session decides. */
  onFatal(failure: TelegramFailure): void;
  /** Called after every successful getUpdates: the connection is healthy. */
  onHealthy(): void;
  /** The session's lease was lost while handling an update: stop at once, write nothing more. */
  onLeaseLost(): void;
  /**
   * How much longer this worker may act on its last lease renewal (≤ 0: no longer). Checked
   * before every getUpdates, and a long poll is shortened to end within it: a poll that
   * outlived the lease would run beside the successor's (Telegram answers 409), even when
   * the worker is paused (GC, SIGSTOP) right after sending it.
   */
  leaseValidForMs(): number;
}

/** Tries per update before it is skipped (logged): a poison update must not block the bot forever. */
const attemptsPerUpdate = 3;

/**
 * The long-polling loop of one bot: getUpdates with Telegram's offset confirmation, one
 * update at a time in order. Transient failures back off (1 s doubling to 30 s); a 409
 * (a webhook or another poller) removes the webhook once and retries; 401 is fatal.
 */
export function startPoller(options: PollerOptions): { stop(): Promise<void> } {
  const abort = new AbortController();
  const done = run(options, abort.signal);
  return {
    async stop() {
      abort.abort();
      await done;
    },
  };
}

async function run(options: PollerOptions, signal: AbortSignal): Promise<void> {
  let offset = options.startOffset;
  let backoff = Second;
  let webhookRemoved = false;
  while (!signal.aborted) {
    const validMs = options.leaseValidForMs();
    if (validMs <= 0) return options.onLeaseLost();
    const timeoutSeconds = Math.min(options.timeoutSeconds, Math.floor(validMs / Second));
    if (timeoutSeconds < 1 && options.timeoutSeconds >= 1) {
      // Not even a one-second poll fits: wait for the next renewal (or for the lease to lapse).
      await sleep(Math.min(validMs, 250), signal);
      continue;
    }
    let updates: Update[];
    try {
      updates = await options.client.getUpdates(offset, timeoutSeconds, allowedUpdates, signal);
      backoff = Second;
      options.onHealthy();
    } catch (error) {
      if (signal.aborted) return;
      const failure = error instanceof TelegramCallError ? error.failure : { kind: 'transient' as const, description: String(error) };
      if (failure.kind === 'unauthorized') return options.onFatal(failure);
      if (failure.kind === 'conflict' && !webhookRemoved && /webhook/i.test(failure.description)) {
        // Kovan owns this bot's updates in polling mode: a leftover webhook is removed once.
        webhookRemoved = true;
        await options.client.deleteWebhook().catch(() => {});
        continue;
      }
      const wait = failure.kind === 'rate_limited' ? failure.retryAfterSeconds * Second : backoff;
      options.log.warn({ failure: failure.kind, description: failure.description, waitMs: wait }, 'getUpdates failed; retrying');
      await sleep(wait + Math.random() * 250, signal);
      backoff = Math.min(backoff * 2, 30 * Second);
      continue;
    }
    for (const update of updates) {
      if (signal.aborted) return;
      if (!(await handleWithRetries(options, update))) return options.onLeaseLost();
      offset = update.update_id + 1;
    }
  }
}

/** False when the lease was lost; true when the update was handled (or skipped after retries). */
async function handleWithRetries(options: PollerOptions, update: Update): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      await options.onUpdate(update);
      return true;
    } catch (error) {
      if (error instanceof LeaseLostError) return false;
      if (attempt >= attemptsPerUpdate) {
        options.log.error({ err: error, update_id: update.update_id }, 'update could not be processed; skipped');
        return true;
      }
      await sleep(100 * attempt);
    }
  }
}
