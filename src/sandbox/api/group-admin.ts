import type { User } from 'grammy/types';
import { Day, Second, unixTime } from '../durations.js';
import { badRequest, TelegramErrors } from '../errors.js';
import type { AdminRights, GroupRecord } from '../records.js';
import { botUserView, groupChatView, hasRight } from '../views.js';
import { resolveChat } from './chat-access.js';
import type { MethodCall } from './method.js';

/** A group the bot administers for this call, and the bot as the acting user. */
export interface AdministeredGroup {
  group: GroupRecord;
  actor: User;
}

/**
 * Resolves `chat_id` to a group where the bot holds `right`, failing like Telegram: member-status
 * changes are impossible in private chats, and missing rights are "not enough rights to …".
 */
export function administeredGroup(call: MethodCall, right: keyof AdminRights, rightsError: string): AdministeredGroup {
  const target = resolveChat(call.core, call.bot, call.params.string('chat_id'), 'write');
  if (target.kind === 'private') throw badRequest("chat member status can't be changed in private chats");
  if (!hasRight(target.membership, right)) throw TelegramErrors.notEnoughRights(rightsError);
  return { group: target.group, actor: botUserView(call.bot) };
}

/** Posts the "X removed Y" service message; bots in the group see it. */
export function announceRemoval(call: MethodCall, administered: AdministeredGroup, removed: User): void {
  call.core.postToGroup(
    administered.group,
    { chat: groupChatView(administered.group), from: administered.actor, left_chat_member: removed },
    'service',
  );
}

/** Shortest and longest ban or restriction Telegram honours; anything outside means forever. */
const shortestRestriction = (30 * Second) / Second;
const longestRestriction = (366 * Day) / Second;

/** `until_date` as Telegram applies it: 0 (forever) when outside the honoured range. */
export function untilDate(call: MethodCall): number {
  const value = call.params.int('until_date', 0);
  const now = unixTime();
  return value < now + shortestRestriction || value > now + longestRestriction ? 0 : value;
}
