import type { Message, Update } from 'grammy/types';
import { SandboxError } from './errors.js';
import type {
  BotRecord,
  ChatHistory,
  GroupRecord,
  InvoiceRecord,
  PaymentRecord,
  PrivateChatRecord,
  UserRecord,
} from './records.js';

/** What a user answered to a pre-checkout query, as the waiting payment sees it. */
export type PreCheckoutAnswer = { ok: true } | { ok: false; errorMessage: string };

/** A pre-checkout query waiting for answerPreCheckoutQuery. */
export interface PendingPreCheckout {
  readonly botId: number;
  answer(result: PreCheckoutAnswer): void;
}

/** How a bot answered a button press: the toast or alert the user would see. */
export interface CallbackAnswer {
  text?: string;
  showAlert: boolean;
  url?: string;
}

/** A callback query waiting for answerCallbackQuery. */
export interface PendingCallback {
  readonly botId: number;
  answer(result: CallbackAnswer): void;
}

/** A fresh, empty chat history; Telegram numbers each chat's messages from 1. */
export function newHistory(): ChatHistory {
  return { nextMessageId: 1, messages: new Map() };
}

/** A message before the chat numbers and dates it. */
export type MessageDraft = Omit<Message, 'message_id' | 'date'>;

/** A message in a private chat, group or supergroup (the sandbox has no channels). */
export type ChatMessage = Message & Update.NonChannel;

/** Numbers, dates and stores a message in a chat. */
export function appendMessage(history: ChatHistory, draft: MessageDraft, date: number): ChatMessage {
  // Key order as Telegram sends it: id, sender, chat, date, then the content.
  const { from, chat, ...content } = draft;
  const sender = from === undefined ? {} : { from };
  const message = { message_id: history.nextMessageId++, ...sender, chat, date, ...content } as ChatMessage;
  history.messages.set(message.message_id, message);
  return message;
}

/**
 * All entities of the simulated Telegram, with lookups that fail with a {@link SandboxError} the
 * control API can show ("unknown user 123") instead of crashing.
 */
export class Store {
  readonly bots = new Map<number, BotRecord>();
  readonly botsByToken = new Map<string, BotRecord>();
  /** Tokens replaced by revokeToken, so calls still using them can be logged against the bot. */
  readonly revokedTokens = new Map<string, number>();
  readonly users = new Map<number, UserRecord>();
  readonly groups = new Map<number, GroupRecord>();
  private readonly privateChats = new Map<string, PrivateChatRecord>();
  readonly invoiceLinks = new Map<string, InvoiceRecord>();
  /** Invoices sent as messages, by "chatId/messageId". */
  readonly invoiceMessages = new Map<string, InvoiceRecord>();
  readonly payments = new Map<string, PaymentRecord>();
  readonly pendingPreCheckouts = new Map<string, PendingPreCheckout>();
  readonly pendingCallbacks = new Map<string, PendingCallback>();

  requireBot(botId: number): BotRecord {
    const bot = this.bots.get(botId);
    if (!bot) throw new SandboxError(`unknown bot ${botId}`, 404);
    return bot;
  }

  requireUser(userId: number): UserRecord {
    const user = this.users.get(userId);
    if (!user) throw new SandboxError(`unknown user ${userId}`, 404);
    return user;
  }

  requireGroup(chatId: number): GroupRecord {
    const group = this.groups.get(chatId);
    if (!group) throw new SandboxError(`unknown group ${chatId}`, 404);
    return group;
  }

  /** A group that still exists as such: not one that was upgraded to a supergroup. */
  requireActiveGroup(chatId: number): GroupRecord {
    const group = this.requireGroup(chatId);
    if (group.migratedToChatId !== undefined) {
      throw new SandboxError(`group ${chatId} was migrated to supergroup ${group.migratedToChatId}`, 409);
    }
    return group;
  }

  /** The private chat of a user with a bot, if it was ever opened from either side. */
  findPrivateChat(botId: number, userId: number): PrivateChatRecord | undefined {
    return this.privateChats.get(`${botId}/${userId}`);
  }

  /** Every private chat, for writing the world to disk. */
  privateChatRecords(): PrivateChatRecord[] {
    return [...this.privateChats.values()];
  }

  restorePrivateChat(chat: PrivateChatRecord): void {
    this.privateChats.set(`${chat.botId}/${chat.userId}`, chat);
  }

  /** The private chat of a user with a bot, created empty on first use. */
  privateChat(botId: number, userId: number): PrivateChatRecord {
    const key = `${botId}/${userId}`;
    let chat = this.privateChats.get(key);
    if (!chat) {
      chat = { botId, userId, history: newHistory(), started: false, blockedByUser: false };
      this.privateChats.set(key, chat);
    }
    return chat;
  }

  /** Whether a username is held by any user, bot or public group (Telegram usernames are global). */
  usernameTaken(username: string): boolean {
    const wanted = username.toLowerCase();
    const holders = [...this.users.values(), ...this.bots.values(), ...this.groups.values()];
    return holders.some((holder) => holder.username?.toLowerCase() === wanted);
  }

  /** Forgets everything. */
  clear(): void {
    for (const map of [
      this.bots, this.botsByToken, this.revokedTokens, this.users, this.groups, this.privateChats, this.invoiceLinks,
      this.invoiceMessages, this.payments, this.pendingPreCheckouts, this.pendingCallbacks,
    ]) {
      map.clear();
    }
  }
}
