import type { Message } from 'grammy/types';
import type { BotRecord, Membership } from './records.js';
import { commandsIn, mentionsIn } from './text/entities.js';
import { isAdmin, isPresent } from './views.js';

/**
 * Group privacy mode: whether a bot in a group receives a message a user posted there.
 *
 * Admin bots and bots with privacy mode off see everything. Others see service messages, replies to
 * their own messages, messages that @mention them, and commands that are either addressed to them
 * (`/cmd@their_bot`) or addressed to no bot (`/cmd`) — with several bots in a group, `/cmd@other_bot`
 * reaches only the other bot. (Telegram's documentation narrows unaddressed commands further to
 * "the last bot that wrote in the group"; the sandbox delivers them to every privacy-mode bot.)
 * Bots never see messages of other bots.
 */
export function botSeesGroupMessage(bot: BotRecord, membership: Membership | undefined, message: Message, isService: boolean): boolean {
  if (!isPresent(membership)) return false;
  if (message.from?.is_bot === true && !isService) return false;
  if (isService || isAdmin(membership) || bot.canReadAllGroupMessages) return true;
  if (message.reply_to_message?.from?.id === bot.id) return true;
  const formatted = { text: message.text ?? '', entities: message.entities ?? [] };
  const username = bot.username.toLowerCase();
  const commandForBot = commandsIn(formatted).some(
    (command) => command.botUsername === undefined || command.botUsername.toLowerCase() === username,
  );
  return commandForBot || mentionsIn(formatted).some((mention) => mention.toLowerCase() === username);
}
