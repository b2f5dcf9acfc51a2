import { z } from 'zod';
import type { InlineKeyboardButton } from 'grammy/types';
import { TelegramTimings } from '../config.js';
import type { SandboxCore } from '../core.js';
import { backgroundTimer } from '../durations.js';
import { SandboxError } from '../errors.js';
import { chatInstance, generateQueryId } from '../ids.js';
import type { BotRecord, ChatHistory, GroupRecord, PrivateChatRecord, UserRecord } from '../records.js';
import type { CallbackAnswer, ChatMessage } from '../store.js';
import { formatUserText } from '../text/format.js';
import { groupChatView, isPresent, privateChatView, userView } from '../views.js';
import { parseInput, telegramId } from './input.js';

export const userMessageInput = z.object({
  replyToMessageId: z.number().int().positive().optional(),
  /** For private chats addressed by the user's own id: which bot the chat is with. */
  botId: telegramId.optional(),
});
export type UserMessageInput = z.input<typeof userMessageInput>;

/** Deep-link payloads (t.me/bot?start=…): up to 64 of A-Z, a-z, 0-9, _ and -. */
export const startPayload = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 characters of A-Z, a-z, 0-9, _ and -');

/** A button press in flight: the query id and the bot's answer (null if it never answered in time). */
export interface ButtonPress {
  callbackQueryId: string;
  answer: Promise<CallbackAnswer | null>;
}

/** A chat as a user sees it: their private chat with a bot, or a group they are in. */
type UserChat = { kind: 'private'; bot: BotRecord; chat: PrivateChatRecord } | { kind: 'group'; group: GroupRecord };

/** What users do in chats: write, start and block bots, press buttons; and what the chats show. */
export function conversationActions(core: SandboxCore) {
  const { store } = core;

  /**
   * A chat id as the control API takes it: a group id; a bot's id (the user's private chat with that
   * bot, as the user's own client numbers it); or the user's id with `botId` (as the bot numbers it).
   */
  function chatOf(user: UserRecord, chatId: number, botId: number | undefined): UserChat {
    if (chatId < 0) return { kind: 'group', group: store.requireActiveGroup(chatId) };
    const privateBotId = store.bots.has(chatId) ? chatId : chatId === user.id ? botId : undefined;
    if (privateBotId === undefined) {
      throw new SandboxError(`chat ${chatId}: use a group id, a bot id, or the user's id together with botId`);
    }
    const bot = store.requireBot(privateBotId);
    return { kind: 'private', bot, chat: store.privateChat(bot.id, user.id) };
  }

  function historyOf(chat: UserChat): ChatHistory {
    return chat.kind === 'private' ? chat.chat.history : chat.group.history;
  }

  function send(user: UserRecord, chat: UserChat, text: string, replyToMessageId: number | undefined): ChatMessage {
    const formatted = formatUserText(text);
    if (formatted.text === '') throw new SandboxError('message text is empty');
    const replied = replyToMessageId === undefined ? undefined : historyOf(chat).messages.get(replyToMessageId);
    if (replyToMessageId !== undefined && !replied) throw new SandboxError(`no message ${replyToMessageId} to reply to`, 404);
    const content = {
      from: userView(user),
      text: formatted.text,
      ...(formatted.entities.length === 0 ? {} : { entities: formatted.entities }),
      ...(replied ? { reply_to_message: { ...replied, reply_to_message: undefined } } : {}),
    };
    if (chat.kind === 'private') {
      if (chat.chat.blockedByUser) throw new SandboxError('the user blocked this bot; userUnblocksBot or userStartsBot first', 409);
      chat.chat.started = true;
      return core.postToPrivate(chat.chat, { chat: privateChatView(user), ...content });
    }
    const membership = chat.group.members.get(user.id);
    if (!isPresent(membership)) throw new SandboxError(`user ${user.id} is not in group ${chat.group.id}`, 409);
    if (membership?.status === 'restricted' && membership.permissions.can_send_messages === false) {
      throw new SandboxError(`user ${user.id} may not send messages in group ${chat.group.id}`, 409);
    }
    return core.postToGroup(chat.group, { chat: groupChatView(chat.group), ...content }, 'message');
  }

  function setBlocked(userId: number, botId: number, blocked: boolean): void {
    const user = store.requireUser(userId);
    const bot = store.requireBot(botId);
    const chat = store.privateChat(bot.id, user.id);
    if (chat.blockedByUser === blocked) throw new SandboxError(`user ${userId} has ${blocked ? 'already' : 'not'} blocked bot ${botId}`, 409);
    chat.blockedByUser = blocked;
    core.announcePrivateStatus(bot, user, blocked ? 'member' : 'kicked', blocked ? 'kicked' : 'member');
  }

  return {
    /**
     * A user writes a text message: into a group (chatId < 0), to a bot (chatId = the bot's id), or
     * to a bot in the chat the bot knows as chatId = userId (then pass `botId`). Bots receive it as
     * Telegram would deliver it, privacy mode included.
     */
    userSendsMessage(userId: number, chatId: number, text: string, input: UserMessageInput = {}): ChatMessage {
      const options = parseInput(userMessageInput, input);
      const user = store.requireUser(userId);
      return send(user, chatOf(user, chatId, options.botId), text, options.replyToMessageId);
    },

    /**
     * A user presses Start (optionally through a t.me/bot?start=payload link): the bot gets
     * "/start [payload]"; a blocked bot is unblocked first, as Telegram's Restart button does.
     */
    userStartsBot(userId: number, botId: number, payload?: string): ChatMessage {
      const user = store.requireUser(userId);
      const bot = store.requireBot(botId);
      const text = payload === undefined ? '/start' : `/start ${parseInput(startPayload, payload)}`;
      if (store.privateChat(bot.id, user.id).blockedByUser) setBlocked(userId, botId, false);
      return send(user, chatOf(user, bot.id, undefined), text, undefined);
    },

    /** The user blocks the bot: my_chat_member "kicked"; sends then fail with 403 "bot was blocked by the user". */
    userBlocksBot(userId: number, botId: number): void {
      setBlocked(userId, botId, true);
    },

    /** The user unblocks the bot: my_chat_member "member". */
    userUnblocksBot(userId: number, botId: number): void {
      setBlocked(userId, botId, false);
    },

    /**
     * A user presses an inline button with this callback_data on a bot's message: the bot gets a
     * callback_query. The returned `answer` resolves with what answerCallbackQuery said, or null
     * once Telegram would have given up waiting (15 scaled seconds).
     */
    userPressesButton(userId: number, chatId: number, messageId: number, callbackData: string, input: Pick<UserMessageInput, 'botId'> = {}): ButtonPress {
      const user = store.requireUser(userId);
      const chat = chatOf(user, chatId, parseInput(userMessageInput, input).botId);
      const message = historyOf(chat).messages.get(messageId);
      const bot = message?.from?.is_bot ? store.bots.get(message.from.id) : undefined;
      const buttons: InlineKeyboardButton[] = message?.reply_markup?.inline_keyboard.flat() ?? [];
      const pressed = buttons.some((button) => 'callback_data' in button && button.callback_data === callbackData);
      if (!message || !bot || !pressed) {
        throw new SandboxError(`message ${messageId} in chat ${chatId} has no button with callback_data "${callbackData}"`, 404);
      }
      const callbackQueryId = generateQueryId();
      const answer = new Promise<CallbackAnswer | null>((resolve) => {
        const deadline = backgroundTimer(() => {
          store.pendingCallbacks.delete(callbackQueryId);
          resolve(null);
        }, core.config.scaled(TelegramTimings.callbackAnswerDeadline));
        store.pendingCallbacks.set(callbackQueryId, {
          botId: bot.id,
          answer: (result) => {
            clearTimeout(deadline);
            resolve(result);
          },
        });
      });
      core.deliver(
        bot,
        'callback_query',
        { id: callbackQueryId, from: userView(user), message, chat_instance: chatInstance(bot.id, message.chat.id), data: callbackData },
        message.chat.id,
      );
      return { callbackQueryId, answer };
    },

    /**
     * What a chat shows, oldest first: a group by its id, or a private chat by the user's id plus
     * `botId` (what the product's "Try it" panel renders). Empty for a chat never opened.
     */
    chatMessages(chatId: number, botId?: number): ChatMessage[] {
      if (chatId < 0) return [...store.requireGroup(chatId).history.messages.values()];
      if (botId === undefined) throw new SandboxError('a private chat is identified by the user id and botId');
      return [...(store.findPrivateChat(store.requireBot(botId).id, store.requireUser(chatId).id)?.history.messages.values() ?? [])];
    },
  };
}
