import type { TelegramFailure } from '../bots/telegram-errors.js';
import type { DeliveryLimits } from './limits.js';
import type { TargetLoss } from './targets.js';

/** What the sender does with a message after Telegram refused it or could not be reached. */
export type Verdict =
  /** Telegram did not take it; send again after `delayMs`. `pause` also holds back the bot and chat (429). */
  | { action: 'retry'; reason: string; delayMs: number; pause: boolean }
  /** Final: the row fails with `reason`; `loss` tells what happened to the target; `pauseBotMs` rests the bot. */
  | { action: 'fail'; reason: string; loss?: TargetLoss; pauseBotMs?: number }
  /** The group became a supergroup: send to `chatId` instead. */
  | { action: 'retarget'; chatId: number };

/**
 * Turns a classified Telegram failure into the sender's next step. Only answers that prove
 * the message was not delivered lead to a retry; a refused target (blocked, kicked, chat
 * gone) fails at once and is recorded so later messages to it are refused up front.
 * `attempts` counts the calls made so far for this row, including the one that failed.
 */
export function judge(failure: TelegramFailure, attempts: number, limits: DeliveryLimits, random: () => number = Math.random): Verdict {
  switch (failure.kind) {
    case 'rate_limited':
      return { action: 'retry', reason: 'rate_limited', delayMs: failure.retryAfterSeconds * limits.retryAfterUnitMs, pause: true };
    case 'migrated':
      return { action: 'retarget', chatId: failure.migrateToChatId };
    case 'forbidden':
      if (failure.reason === 'blocked' || failure.reason === 'kicked' || failure.reason === 'not_member') {
        return { action: 'fail', reason: failure.reason, loss: failure.reason };
      }
      if (failure.reason === 'cannot_initiate') return { action: 'fail', reason: 'cannot_initiate' };
      return { action: 'fail', reason: `forbidden: ${failure.description}` };
    case 'chat_not_found':
      return { action: 'fail', reason: 'chat_not_found', loss: 'chat_not_found' };
    case 'unauthorized':
      return { action: 'fail', reason: 'bot_unauthorized', pauseBotMs: limits.unauthorizedPauseMs };
    case 'bad_request':
      return { action: 'fail', reason: `bad_request: ${failure.description}` };
    case 'conflict':
    case 'transient':
      if (attempts >= limits.maxAttempts) return { action: 'fail', reason: `telegram_unavailable: ${failure.description}` };
      return { action: 'retry', reason: `transient: ${failure.description}`, delayMs: backoff(attempts, limits, random), pause: false };
  }
}

/** Exponential back-off with equal jitter: half the delay is fixed, half random, so retries spread out. */
export function backoff(attempts: number, limits: Pick<DeliveryLimits, 'retryBaseMs' | 'retryMaxMs'>, random: () => number = Math.random): number {
  const ceiling = Math.min(limits.retryMaxMs, limits.retryBaseMs * 2 ** Math.max(0, attempts - 1));
  return ceiling / 2 + random() * (ceiling / 2);
}
