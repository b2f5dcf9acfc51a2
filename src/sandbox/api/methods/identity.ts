import type { BotCommand } from 'grammy/types';
import { badRequest } from '../../errors.js';
import { botMeView } from '../../views.js';
import type { MethodCall, MethodHandler } from '../method.js';

/** setMyCommands lists are kept per scope and language, like on Telegram. */
function commandsKey(call: MethodCall): string {
  const scope = call.params.json('scope', 'BotCommandScope') ?? { type: 'default' };
  return `${JSON.stringify(scope)}/${call.params.string('language_code') ?? ''}`;
}

function readCommands(call: MethodCall): BotCommand[] {
  const commands = call.params.json('commands', 'commands') ?? [];
  if (!Array.isArray(commands)) throw badRequest('Expected an Array of BotCommand');
  return commands.map((entry: unknown) => {
    const { command, description } = (entry ?? {}) as Partial<BotCommand>;
    if (typeof command !== 'string' || typeof description !== 'string') {
      throw badRequest("can't parse BotCommand: Field \"command\" must be of type String");
    }
    if (!/^[a-z0-9_]{1,32}$/.test(command)) throw badRequest('BOT_COMMAND_INVALID');
    if (description.length < 1 || description.length > 256) throw badRequest('BOT_COMMAND_DESCRIPTION_INVALID');
    return { command, description };
  });
}

export const getMe: MethodHandler = ({ bot }) => botMeView(bot);

export const setMyCommands: MethodHandler = (call) => {
  call.bot.commands.set(commandsKey(call), readCommands(call));
  return true;
};

export const getMyCommands: MethodHandler = (call) => call.bot.commands.get(commandsKey(call)) ?? [];

export const deleteMyCommands: MethodHandler = (call) => {
  call.bot.commands.delete(commandsKey(call));
  return true;
};
