import { z } from 'zod';
import type { User } from 'grammy/types';
import type { SandboxCore } from '../core.js';
import { SandboxError, unauthorized } from '../errors.js';
import { botTokenPattern, generateBotToken } from '../ids.js';
import type { BotRecord, UserRecord } from '../records.js';
import { UpdateInbox } from '../update-inbox.js';
import { userView } from '../views.js';
import { parseInput, username } from './input.js';

export const createBotInput = z.object({
  username: username.refine((name) => name.toLowerCase().endsWith('bot'), "a bot's username must end in 'bot'"),
  firstName: z.string().min(1).max(64).optional(),
  canJoinGroups: z.boolean().default(true),
  /** Privacy mode off. */
  canReadAllGroupMessages: z.boolean().default(false),
  supportsInlineQueries: z.boolean().default(false),
  /** May use allow_paid_broadcast for 1000 messages/s. */
  paidBroadcastEligible: z.boolean().default(false),
  /** A fixed token, e.g. one a seeded database already holds; must look like a real token. */
  token: z.string().regex(botTokenPattern, 'must look like <bot id>:<secret>').optional(),
});
export type CreateBotInput = z.input<typeof createBotInput>;

export const createUserInput = z.object({
  firstName: z.string().min(1).max(64),
  lastName: z.string().min(1).max(64).optional(),
  username: username.optional(),
  languageCode: z.string().min(2).max(35).optional(),
  isPremium: z.boolean().default(false),
});
export type CreateUserInput = z.input<typeof createUserInput>;

/** A created bot: what a client needs to talk to the sandbox as this bot. */
export interface CreatedBot {
  id: number;
  token: string;
  username: string;
}

/** Creating the simulated accounts: bots (what BotFather does) and users. */
export function accountActions(core: SandboxCore) {
  const { store } = core;

  function claimUsername(name: string | undefined): void {
    if (name !== undefined && store.usernameTaken(name)) throw new SandboxError(`username @${name} is taken`, 409);
  }

  return {
    /** Creates a bot, as BotFather would, and returns its token. Privacy mode is on unless disabled. */
    createBot(input: CreateBotInput): CreatedBot {
      const options = parseInput(createBotInput, input);
      claimUsername(options.username);
      const tokenId = options.token === undefined ? undefined : Number(options.token.split(':')[0]);
      if (tokenId !== undefined && store.bots.has(tokenId)) throw new SandboxError(`bot ${tokenId} already exists`, 409);
      const id = tokenId ?? core.ids.nextBotId();
      const bot: BotRecord = {
        id,
        token: options.token ?? generateBotToken(id),
        username: options.username,
        firstName: options.firstName ?? options.username,
        canJoinGroups: options.canJoinGroups,
        canReadAllGroupMessages: options.canReadAllGroupMessages,
        supportsInlineQueries: options.supportsInlineQueries,
        paidBroadcastEligible: options.paidBroadcastEligible,
        inbox: new UpdateInbox(),
        webhook: undefined,
        lastWebhookSetAt: 0,
        lastPoll: undefined,
        commands: new Map(),
        knownUserIds: new Set(),
      };
      store.bots.set(bot.id, bot);
      store.botsByToken.set(bot.token, bot);
      return { id: bot.id, token: bot.token, username: bot.username };
    },

    /** The bot a token belongs to, if the sandbox has it (e.g. restored from its state file). */
    findBot(token: string): CreatedBot | undefined {
      const bot = store.botsByToken.get(token);
      return bot && { id: bot.id, token: bot.token, username: bot.username };
    },

    /**
     * Revokes a bot's token as BotFather's /revoke does: the old token answers 401 from now on (a
     * long poll waiting on it too) and a new token is returned.
     */
    revokeToken(botId: number): CreatedBot {
      const bot = store.requireBot(botId);
      store.botsByToken.delete(bot.token);
      store.revokedTokens.set(bot.token, bot.id);
      bot.token = generateBotToken(bot.id);
      store.botsByToken.set(bot.token, bot);
      bot.inbox.releasePoll(unauthorized());
      return { id: bot.id, token: bot.token, username: bot.username };
    },

    /** Creates a user account. Ids alternate between below 2^31 and above 2^32. */
    createUser(input: CreateUserInput): User {
      const options = parseInput(createUserInput, input);
      claimUsername(options.username);
      const user: UserRecord = {
        id: core.ids.nextUserId(),
        firstName: options.firstName,
        lastName: options.lastName,
        username: options.username,
        languageCode: options.languageCode,
        isPremium: options.isPremium,
      };
      store.users.set(user.id, user);
      return userView(user);
    },
  };
}
