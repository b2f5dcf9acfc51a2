import type { ChatInviteLink, ChatMemberUpdated, Update, User } from 'grammy/types';
import { CallLog } from './call-log.js';
import type { SandboxConfig } from './config.js';
import { TelegramTimings } from './config.js';
import { unixTime } from './durations.js';
import type { BotApiError } from './errors.js';
import { conflict, tooManyRequests } from './errors.js';
import { FaultInjector } from './faults.js';
import { IdAllocator } from './ids.js';
import { botSeesGroupMessage } from './privacy.js';
import { RateLimiter } from './rate-limiter.js';
import type { BotRecord, GroupRecord, Membership, PrivateChatRecord, UserRecord } from './records.js';
import type { ChatMessage, MessageDraft } from './store.js';
import { appendMessage, Store } from './store.js';
import type { UserResolver } from './text/entities.js';
import type { UpdateType } from './update-inbox.js';
import { botUserView, chatMemberView, groupChatView, hasRight, isAdmin, privateChatView, userView } from './views.js';

/** Extra fields of a chat_member change caused by an invite link or an approved join request. */
export interface MemberChangeDetails {
  invite_link?: ChatInviteLink;
  via_join_request?: boolean;
}

/**
 * The simulated Telegram shared by the Bot API methods and the control API: state, services and
 * the rules for who receives which update.
 */
export class SandboxCore {
  readonly store = new Store();
  readonly ids = new IdAllocator();
  readonly calls: CallLog;
  readonly faults = new FaultInjector();
  private limiter: RateLimiter | undefined;
  /** 429s answered (flood control and slow mode) since start or the last reset. */
  rateLimitHits = 0;

  constructor(readonly config: SandboxConfig) {
    this.calls = new CallLog(config.callLogLimit);
    this.limiter = this.newLimiter();
  }

  private newLimiter(): RateLimiter | undefined {
    return this.config.limits ? new RateLimiter(this.config.limits, this.config.scaled) : undefined;
  }

  /** Flood control for one outgoing message; throws Telegram's 429 when over a limit. */
  admitMessage(botId: number, chatId: number, isGroup: boolean, paidBroadcast: boolean): void {
    const wait = this.limiter?.admit({ botId, chatId, isGroup, paidBroadcast }) ?? 0;
    if (wait > 0) throw this.tooManyRequests(wait);
  }

  /** A counted 429 telling the client to come back after `waitMs` (in scaled seconds, rounded up). */
  tooManyRequests(waitMs: number): BotApiError {
    this.rateLimitHits += 1;
    return tooManyRequests(Math.max(1, Math.ceil(waitMs / this.config.scaled(TelegramTimings.retryAfterUnit))));
  }

  /** User objects for `tg://user?id=` links in bot messages. */
  readonly resolveUser: UserResolver = (userId) => {
    const user = this.store.users.get(userId);
    return user ? userView(user) : undefined;
  };

  /** The user or bot behind an id, as Telegram shows it in messages. */
  participant(id: number): User | undefined {
    const bot = this.store.bots.get(id);
    return bot ? botUserView(bot) : this.resolveUser(id);
  }

  /** Queues an update for a bot, if its subscription takes that type, and notes the users in it. */
  deliver<T extends UpdateType>(bot: BotRecord, type: T, payload: NonNullable<Update[T]>, orderingKey: number): void {
    if (bot.inbox.push(type, payload, orderingKey)) rememberUsers(bot, payload);
  }

  /** Bots that have any standing (even left or kicked) in a group. */
  botsIn(group: GroupRecord): BotRecord[] {
    return [...group.members.keys()].flatMap((id) => {
      const bot = this.store.bots.get(id);
      return bot ? [bot] : [];
    });
  }

  /**
   * Posts a message into a group and hands it to every bot there that may see it (privacy mode,
   * bots never seeing bots). Service messages reach all bots present.
   */
  postToGroup(group: GroupRecord, draft: MessageDraft, kind: 'service' | 'message'): ChatMessage {
    const message = appendMessage(group.history, draft, unixTime());
    for (const bot of this.botsIn(group)) {
      if (botSeesGroupMessage(bot, group.members.get(bot.id), message, kind === 'service')) {
        this.deliver(bot, 'message', message, group.id);
      }
    }
    return message;
  }

  /** Posts a message into a private chat; a user's message goes to the bot as an update. */
  postToPrivate(chat: PrivateChatRecord, draft: MessageDraft): ChatMessage {
    const message = appendMessage(chat.history, draft, unixTime());
    if (message.from?.is_bot === false) this.deliver(this.store.requireBot(chat.botId), 'message', message, chat.userId);
    return message;
  }

  /**
   * Applies a change of someone's standing in a group and tells the bots: the member itself gets
   * my_chat_member if it is a bot; admin bots that subscribed to chat_member get chat_member.
   */
  changeMembership(group: GroupRecord, memberId: number, after: Membership, actor: User, details: MemberChangeDetails = {}): void {
    const member = this.participant(memberId);
    if (!member) throw new Error(`no participant ${memberId}`);
    const before = group.members.get(memberId) ?? { status: 'left' };
    group.members.set(memberId, after);
    const change: ChatMemberUpdated = {
      chat: groupChatView(group),
      from: actor,
      date: unixTime(),
      old_chat_member: chatMemberView(member, before),
      new_chat_member: chatMemberView(member, after),
      ...details,
    };
    const memberBot = this.store.bots.get(memberId);
    if (memberBot) this.deliver(memberBot, 'my_chat_member', change, group.id);
    for (const bot of this.botsIn(group)) {
      if (bot.id !== memberId && isAdmin(group.members.get(bot.id))) this.deliver(bot, 'chat_member', change, group.id);
    }
  }

  /** my_chat_member of a private chat: the user blocked (kicked) or unblocked (member) the bot. */
  announcePrivateStatus(bot: BotRecord, user: UserRecord, before: 'member' | 'kicked', after: 'member' | 'kicked'): void {
    const standing = (status: 'member' | 'kicked'): Membership => (status === 'kicked' ? { status, untilDate: 0 } : { status });
    this.deliver(
      bot,
      'my_chat_member',
      {
        chat: privateChatView(user),
        from: userView(user),
        date: unixTime(),
        old_chat_member: chatMemberView(botUserView(bot), standing(before)),
        new_chat_member: chatMemberView(botUserView(bot), standing(after)),
      },
      user.id,
    );
  }

  /**
   * Whether a bot may message a user who never started it: the user asked to join a chat where the
   * bot approves requests, within the 5-minute window and before the request is handled.
   */
  hasJoinRequestWindow(bot: BotRecord, userId: number): boolean {
    const now = Date.now();
    return [...this.store.groups.values()].some((group) => {
      const request = group.joinRequests.get(userId);
      return request !== undefined && request.contactUntil > now && hasRight(group.members.get(bot.id), 'can_invite_users');
    });
  }

  /** Ends every waiting long poll and webhook delivery, e.g. before shutting down. */
  quiesce(): void {
    for (const bot of this.store.bots.values()) {
      bot.webhook?.stop();
      bot.inbox.releasePoll();
    }
  }

  /** Empties the world: bots, users, chats, calls, armed faults, counters. Ids keep counting up. */
  reset(): void {
    this.quiesce();
    this.store.clear();
    this.calls.clear();
    this.faults.clear();
    this.limiter = this.newLimiter();
    this.rateLimitHits = 0;
  }
}

/** Telegram's text for the older of two competing long polls. */
export function competingPollConflict(): BotApiError {
  return conflict('terminated by other getUpdates request; make sure that only one bot instance is running');
}

/** Notes every human user mentioned anywhere in an update, so the bot "knows" them afterwards. */
function rememberUsers(bot: BotRecord, value: unknown, depth = 0): void {
  if (typeof value !== 'object' || value === null || depth > 6) return;
  if (Array.isArray(value)) {
    for (const item of value) rememberUsers(bot, item, depth + 1);
    return;
  }
  const record = value as Record<string, unknown>;
  if (record.is_bot === false && typeof record.id === 'number') bot.knownUserIds.add(record.id);
  for (const child of Object.values(record)) rememberUsers(bot, child, depth + 1);
}
