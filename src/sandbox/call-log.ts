import type { Message } from 'grammy/types';

/** One Bot API call a bot made, as recorded by the sandbox. */
export interface ApiCall {
  botId: number;
  /** Canonical method name ("sendMessage"), whatever case the client used. */
  method: string;
  /** Parameters as the client sent them (JSON values for JSON bodies, strings for forms). */
  params: Record<string, unknown>;
  ok: boolean;
  errorCode?: number;
  description?: string;
  /** Messages the call put into chats (sendMessage, copyMessage, sendInvoice, …). */
  messages: Message[];
  /** Epoch milliseconds when the call was answered. */
  at: number;
}

/** Filter for {@link CallLog.list} and {@link CallLog.sentMessages}. */
export interface CallFilter {
  botId?: number;
  method?: string;
  chatId?: number;
}

/** Every call every bot made, in order, for assertions and for the "Try it" panel; the newest `limit` are kept. */
export class CallLog {
  private calls: ApiCall[] = [];

  constructor(private readonly limit: number) {}

  record(call: ApiCall): void {
    this.calls.push(call);
    // Trim in chunks: dropping one entry per call would copy the whole log every time.
    if (this.calls.length > this.limit * 1.1) this.calls = this.calls.slice(-this.limit);
  }

  /** Calls matching the filter, oldest first. */
  list(filter: CallFilter = {}): ApiCall[] {
    const method = filter.method?.toLowerCase();
    return this.calls.filter(
      (call) =>
        (filter.botId === undefined || call.botId === filter.botId) &&
        (method === undefined || call.method.toLowerCase() === method) &&
        (filter.chatId === undefined || call.messages.some((message) => message.chat.id === filter.chatId)),
    );
  }

  /** Messages bots sent successfully (as returned to them), oldest first. */
  sentMessages(filter: Omit<CallFilter, 'method'> = {}): Message[] {
    return this.list({ ...(filter.botId === undefined ? {} : { botId: filter.botId }) })
      .flatMap((call) => call.messages)
      .filter((message) => filter.chatId === undefined || message.chat.id === filter.chatId);
  }

  clear(): void {
    this.calls = [];
  }
}
