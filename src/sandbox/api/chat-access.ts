import type { Chat } from 'grammy/types';
import type { SandboxCore } from '../core.js';
import { badRequest, forbidden, TelegramErrors } from '../errors.js';
import type { BotRecord, ChatHistory, GroupRecord, Membership, PrivateChatRecord, UserRecord } from '../records.js';
import { groupChatView, privateChatView } from '../views.js';

/** A chat as a bot may use it: its private chat with a user, or a group it is in. */
export type BotChat =
  | { kind: 'private'; id: number; user: UserRecord; chat: PrivateChatRecord }
  | { kind: 'group'; id: number; group: GroupRecord; membership: Membership };

/** What the bot wants to do: reading (getChat, …) or writing (sending, editing, …). */
export type Access = 'read' | 'write';

function groupKind(group: GroupRecord): string {
  return group.type === 'group' ? 'group chat' : 'supergroup chat';
}

function resolvePrivate(core: SandboxCore, bot: BotRecord, userId: number, access: Access): BotChat {
  const user = core.store.users.get(userId);
  if (!user) {
    if (access === 'write' && core.store.bots.has(userId)) throw TelegramErrors.cantMessageBots();
    throw TelegramErrors.chatNotFound();
  }
  const existing = core.store.findPrivateChat(bot.id, userId);
  if (access === 'write') {
    if (existing?.blockedByUser) throw TelegramErrors.blockedByUser();
    if (!existing?.started && !core.hasJoinRequestWindow(bot, userId)) {
      throw bot.knownUserIds.has(userId) ? TelegramErrors.cantInitiate() : TelegramErrors.chatNotFound();
    }
  } else if (!existing && !bot.knownUserIds.has(userId)) {
    throw TelegramErrors.chatNotFound();
  }
  return { kind: 'private', id: userId, user, chat: core.store.privateChat(bot.id, userId) };
}

function resolveGroup(core: SandboxCore, bot: BotRecord, group: GroupRecord | undefined, access: Access): BotChat {
  const membership = group?.members.get(bot.id);
  if (!group || !membership) throw TelegramErrors.chatNotFound();
  if (access === 'write' && group.migratedToChatId !== undefined) {
    throw badRequest('group chat was upgraded to a supergroup chat', { migrate_to_chat_id: group.migratedToChatId });
  }
  if (membership.status === 'kicked') throw forbidden(`bot was kicked from the ${groupKind(group)}`);
  if (membership.status === 'left') throw forbidden(`bot is not a member of the ${groupKind(group)}`);
  return { kind: 'group', id: group.id, group, membership };
}

/**
 * Resolves a `chat_id` argument (number or "@username") for a bot and checks it may use the chat,
 * failing with the texts Telegram uses: "chat_id is empty", "chat not found", "bot was blocked by
 * the user", "bot can't initiate conversation with a user", "bot was kicked from the group chat",
 * "group chat was upgraded to a supergroup chat" (with migrate_to_chat_id), …
 */
export function resolveChat(core: SandboxCore, bot: BotRecord, rawChatId: string | undefined, access: Access): BotChat {
  const value = rawChatId?.trim();
  if (value === undefined || value === '') throw badRequest('chat_id is empty');
  if (value.startsWith('@')) {
    const username = value.slice(1).toLowerCase();
    const group = [...core.store.groups.values()].find((candidate) => candidate.username?.toLowerCase() === username);
    return resolveGroup(core, bot, group, access);
  }
  if (!/^-?\d+$/.test(value)) throw TelegramErrors.chatNotFound();
  const chatId = Number(value);
  return chatId > 0 ? resolvePrivate(core, bot, chatId, access) : resolveGroup(core, bot, core.store.groups.get(chatId), access);
}

/** The chat object embedded in messages of this chat. */
export function chatView(target: BotChat): Chat.PrivateChat | Chat.GroupChat | Chat.SupergroupChat {
  return target.kind === 'private' ? privateChatView(target.user) : groupChatView(target.group);
}

/** The message history of the chat. */
export function historyOf(target: BotChat): ChatHistory {
  return target.kind === 'private' ? target.chat.history : target.group.history;
}
