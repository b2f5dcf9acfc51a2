import { randomBytes } from 'node:crypto';
import { connectBot, type Bot } from '../../src/bots/bots.js';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.js';
import type { TestApi } from './api.js';

let sequence = 0;

/** A token with a random bot id in Telegram's shape (`<id>:<35 characters>`). */
export function randomBotToken(): string {
  const id = 6_000_000_000 + Math.floor(Math.random() * 3_000_000_000);
  return `${id}:${randomBytes(27).toString('base64url').slice(0, 35)}`;
}

/** A sandbox for a test file; flood limits as Telegram's unless the test shrinks them. */
export function startTestSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  return startSandbox(options);
}

export interface ConnectedBot {
  bot: Bot;
  telegramBotId: number;
  token: string;
  groupChatId: number;
  memberIds: number[];
}

/**
 * Gives a tenant a sandbox bot connected through Kovan's real connect path, and a sandbox
 * group with members where the bot is an admin unless told otherwise (the `my_chat_member` update waits in the
 * sandbox for the tenant's session to pick up).
 */
export async function connectSandboxBot(api: TestApi, sandbox: Sandbox, tenantId: string, options: { privacy?: boolean; admin?: boolean; groupType?: 'group' | 'supergroup'; members?: number } = {}): Promise<ConnectedBot> {
  const n = sequence++;
  // Telegram bot ids are global: random ones keep test files that share a database apart.
  const created = sandbox.createBot({ username: `t${process.pid}n${n}_bot`, canReadAllGroupMessages: !(options.privacy ?? false), token: randomBotToken() });
  const bot = await api.services.db.withTenant(tenantId, (tx) => connectBot(tx, { secrets: api.services.secrets, apiRoot: sandbox.apiRoot }, created.token));
  const memberIds = Array.from({ length: options.members ?? 3 }, (_, i) => sandbox.createUser({ firstName: `Member${i}`, languageCode: 'en' }).id);
  const group = sandbox.createGroup({ title: `Group ${n}`, type: options.groupType ?? 'supergroup', memberIds });
  const admin = options.admin ?? true;
  sandbox.addBotToGroup(created.id, group.id, admin ? { admin, canInviteUsers: true, canDeleteMessages: true } : {});
  return { bot, telegramBotId: created.id, token: created.token, groupChatId: group.id, memberIds };
}
