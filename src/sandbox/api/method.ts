import type { Message } from 'grammy/types';
import type { SandboxCore } from '../core.js';
import type { BotRecord } from '../records.js';
import type { ParamReader } from './params.js';

/** Everything a Bot API method implementation gets. */
export interface MethodCall {
  readonly core: SandboxCore;
  /** The bot whose token made the call. */
  readonly bot: BotRecord;
  readonly params: ParamReader;
  /** Aborts when the client disconnects (matters for long polling). */
  readonly signal: AbortSignal;
  /** Messages the call put into chats; recorded in the call log. */
  readonly posted: Message[];
  /** Runs another method as the same bot, as Telegram does with a webhook's reply. */
  readonly runAsBot: (method: string, params: Record<string, unknown>) => Promise<void>;
}

/** A Bot API method: returns the `result`, or throws a BotApiError. */
export type MethodHandler = (call: MethodCall) => unknown;

/** A result with the human-readable `description` Telegram adds to some answers ("Webhook was set"). */
export class DescribedResult {
  constructor(
    readonly result: unknown,
    readonly description: string,
  ) {}
}
