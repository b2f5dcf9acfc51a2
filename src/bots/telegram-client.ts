import { Api } from 'grammy';
import type { Update, UserFromGetMe, WebhookInfo, ChatMember, ChatFullInfo } from 'grammy/types';
import { maskBotTokens } from '../platform/log.js';
import { TelegramCallError, classifyTelegramError } from './telegram-errors.js';

export interface SendOptions {
  parseMode?: 'HTML';
  replyToMessageId?: number;
  allowPaidBroadcast?: boolean;
  disableNotification?: boolean;
}

/**
 * The slice of the Bot API Kovan uses, over grammY's `Api` with a configurable API root
 * (the real api.telegram.org, or the sandbox). Every failure is thrown as a
 * {@link TelegramCallError} with its classified cause; token text never appears in errors.
 */
export class TelegramClient {
  readonly #api: Api;

  constructor(token: string, apiRoot: string) {
    this.#api = new Api(token, { apiRoot, timeoutSeconds: 60 });
  }

  getMe(): Promise<UserFromGetMe> {
    return this.#call('getMe', () => this.#api.getMe());
  }

  async sendMessage(chatId: number, text: string, options: SendOptions = {}): Promise<{ messageId: number; chatId: number }> {
    const message = await this.#call('sendMessage', () => this.#api.sendMessage(chatId, text, {
      ...(options.parseMode ? { parse_mode: options.parseMode } : {}),
      ...(options.replyToMessageId ? { reply_parameters: { message_id: options.replyToMessageId, allow_sending_without_reply: true } } : {}),
      ...(options.allowPaidBroadcast ? { allow_paid_broadcast: true } : {}),
      ...(options.disableNotification ? { disable_notification: true } : {}),
      link_preview_options: { is_disabled: true },
    }));
    return { messageId: message.message_id, chatId: message.chat.id };
  }

  getUpdates(offset: number, timeoutSeconds: number, allowedUpdates: readonly string[], signal?: AbortSignal): Promise<Update[]> {
    return this.#call('getUpdates', () => this.#api.getUpdates({ offset, timeout: timeoutSeconds, limit: 100, allowed_updates: allowedUpdates as never }, signal as never));
  }

  setWebhook(url: string, secretToken: string, allowedUpdates: readonly string[]): Promise<true> {
    return this.#call('setWebhook', () => this.#api.setWebhook(url, { secret_token: secretToken, allowed_updates: allowedUpdates as never, max_connections: 40 }));
  }

  deleteWebhook(): Promise<true> {
    return this.#call('deleteWebhook', () => this.#api.deleteWebhook());
  }

  getWebhookInfo(): Promise<WebhookInfo> {
    return this.#call('getWebhookInfo', () => this.#api.getWebhookInfo());
  }

  getChat(chatId: number): Promise<ChatFullInfo> {
    return this.#call('getChat', () => this.#api.getChat(chatId));
  }

  getChatMember(chatId: number, userId: number): Promise<ChatMember> {
    return this.#call('getChatMember', () => this.#api.getChatMember(chatId, userId));
  }

  getChatMemberCount(chatId: number): Promise<number> {
    return this.#call('getChatMemberCount', () => this.#api.getChatMemberCount(chatId));
  }

  approveChatJoinRequest(chatId: number, userId: number): Promise<true> {
    return this.#call('approveChatJoinRequest', () => this.#api.approveChatJoinRequest(chatId, userId));
  }

  declineChatJoinRequest(chatId: number, userId: number): Promise<true> {
    return this.#call('declineChatJoinRequest', () => this.#api.declineChatJoinRequest(chatId, userId));
  }

  leaveChat(chatId: number): Promise<true> {
    return this.#call('leaveChat', () => this.#api.leaveChat(chatId));
  }

  async #call<T>(method: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      const failure = classifyTelegramError(error);
      failure.description = maskBotTokens(failure.description);
      throw new TelegramCallError(failure, method);
    }
  }
}
