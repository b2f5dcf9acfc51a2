import type { BotCommand, ChatAdministratorRights, ChatInviteLink, ChatPermissions } from 'grammy/types';
import type { ChatMessage } from './store.js';
import type { UpdateInbox } from './update-inbox.js';
import type { WebhookDeliverer } from './webhook.js';

/**
 * The sandbox's internal state. These records are what the simulated Telegram "knows"; what bots
 * and the control API see is rendered from them (see views.ts).
 */

/** A bot account and everything Telegram keeps per bot token. */
export interface BotRecord {
  readonly id: number;
  token: string;
  readonly username: string;
  readonly firstName: string;
  readonly canJoinGroups: boolean;
  /** Privacy mode off. */
  readonly canReadAllGroupMessages: boolean;
  readonly supportsInlineQueries: boolean;
  /** May use allow_paid_broadcast (Telegram: ≥ 10,000 Stars and ≥ 10,000 monthly users). */
  readonly paidBroadcastEligible: boolean;
  readonly inbox: UpdateInbox;
  webhook: WebhookDeliverer | undefined;
  /** When setWebhook last set a URL, for Telegram's one-per-second rule. */
  lastWebhookSetAt: number;
  /** The previous getUpdates, for Telegram's hold on repeated polls. */
  lastPoll: { offset: number; at: number } | undefined;
  /** setMyCommands lists by scope and language. */
  readonly commands: Map<string, BotCommand[]>;
  /** Users the bot has seen in an update; a bot can't message a user it never met. */
  readonly knownUserIds: Set<number>;
}

/** A simulated human account. */
export interface UserRecord {
  readonly id: number;
  readonly firstName: string;
  readonly lastName: string | undefined;
  readonly username: string | undefined;
  readonly languageCode: string | undefined;
  readonly isPremium: boolean;
}

/** Administrator rights without the two fields that only exist on channels. */
export type AdminRights = Omit<ChatAdministratorRights, 'can_post_messages' | 'can_edit_messages' | 'can_manage_direct_messages'>;

/** Someone's standing in a group, user or bot. */
export type Membership =
  | { status: 'creator' }
  | { status: 'administrator'; rights: AdminRights }
  | { status: 'member' }
  | { status: 'restricted'; permissions: ChatPermissions; untilDate: number; isMember: boolean }
  | { status: 'left' }
  | { status: 'kicked'; untilDate: number };

/** Messages of one chat with the chat's own message_id counter. */
export interface ChatHistory {
  nextMessageId: number;
  readonly messages: Map<number, ChatMessage>;
}

/** An invite link and who made it. */
export interface InviteLinkRecord {
  readonly creatorId: number;
  readonly link: ChatInviteLink;
  joinedCount: number;
}

/** A pending join request; the bot may message the user until `contactUntil` (epoch ms). */
export interface JoinRequestRecord {
  readonly userId: number;
  readonly chatId: number;
  readonly date: number;
  readonly inviteLink: string | undefined;
  readonly contactUntil: number;
}

/** A group or supergroup. */
export interface GroupRecord {
  readonly id: number;
  readonly type: 'group' | 'supergroup';
  title: string;
  username: string | undefined;
  readonly members: Map<number, Membership>;
  readonly history: ChatHistory;
  permissions: ChatPermissions;
  /** Seconds between messages of non-admins; 0 when off (supergroups only). */
  slowModeDelay: number;
  /** When each bot last posted, for slow mode. */
  readonly lastPostAt: Map<number, number>;
  migratedToChatId: number | undefined;
  readonly inviteLinks: Map<string, InviteLinkRecord>;
  readonly joinRequests: Map<number, JoinRequestRecord>;
}

/** The private chat between one user and one bot (chat id = user id from the bot's side). */
export interface PrivateChatRecord {
  readonly botId: number;
  readonly userId: number;
  readonly history: ChatHistory;
  /** The user opened the chat (pressed Start or wrote); until then the bot can't write first. */
  started: boolean;
  blockedByUser: boolean;
}

/** An invoice a bot created, by link or as a message. */
export interface InvoiceRecord {
  readonly botId: number;
  readonly title: string;
  readonly description: string;
  readonly payload: string;
  readonly currency: string;
  readonly totalAmount: number;
  /** Seconds; only Star subscriptions created with createInvoiceLink. */
  readonly subscriptionPeriod: number | undefined;
}

/** A completed payment, for refunds and subscription edits. */
export interface PaymentRecord {
  readonly chargeId: string;
  readonly botId: number;
  readonly userId: number;
  readonly invoice: InvoiceRecord;
  refunded: boolean;
  subscriptionCanceled: boolean;
}
