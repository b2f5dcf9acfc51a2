import { randomBytes } from 'node:crypto';
import type { Bot } from '../bots/index.js';
import { getBot, listBots } from '../bots/index.js';
import type { Database } from '../platform/db/index.js';
import { AppError, fieldError } from '../platform/errors.js';
import type { SandboxGroupSummary } from '../sandbox/index.js';
import type { SandboxControl } from '../try-it/sandbox-control.js';
import type { DemoGroups } from './contract.js';
import { demoBotUsername } from './demo-world.js';

/**
 * "Create a test bot" for demo mode: what a newcomer would otherwise do with @BotFather and
 * curl against the sandbox, in one tap. The bot is created in the sandbox (a fresh id and
 * token, privacy mode on as BotFather leaves it) and connected through the same path as a
 * pasted token. Only where the configured Telegram is the sandbox; never against the real one.
 */

function notInDemoMode(): AppError {
  return new AppError('conflict', 'Test bots exist only in demo mode, where Telegram is the built-in sandbox: create your bot with @BotFather and paste its token');
}

async function requireSandbox(control: SandboxControl): Promise<void> {
  if (!(await control.available())) throw notInDemoMode();
}

/** A username no bot has had: Telegram's rule (5–32 characters, ending in "bot"), random so restarts never reuse one. */
function testBotUsername(): string {
  return `kovan_test_${randomBytes(5).toString('hex')}_bot`;
}

export async function createTestBot(control: SandboxControl): Promise<{ token: string }> {
  await requireSandbox(control);
  return control.post<{ token: string }>('/bots', { username: testBotUsername(), firstName: 'Test bot' });
}

/**
 * The sandbox groups a tenant may see: the shared demo groups (where the platform's demo bot
 * lives) and the groups its own bots are in. Groups other tenants' bots made stay out of view.
 */
export async function listDemoGroups(db: Database, control: SandboxControl, tenantId: string): Promise<DemoGroups> {
  if (!(await control.available())) return { available: false, groups: [] };
  const bots = await db.withTenant(tenantId, (tx) => listBots(tx));
  const ours = new Map(bots.map((bot) => [bot.telegramBotId, bot.id]));
  const groups = await control.get<SandboxGroupSummary[]>('/groups');
  return {
    available: true,
    groups: groups
      .filter((group) => group.bots.some((bot) => ours.has(bot.id) || bot.username === demoBotUsername))
      .map((group) => ({
        chatId: group.id, title: group.title, type: group.type, people: group.people.map((p) => p.firstName),
        botIds: group.bots.flatMap(({ id }) => { const bot = ours.get(id); return bot ? [bot] : []; }),
      })),
  };
}

/** Adds one of the tenant's bots to a demo group as an administrator with the rights Kovan's features use. */
export async function addBotToDemoGroup(db: Database, control: SandboxControl, tenantId: string, botId: string, chatId: number): Promise<Bot> {
  // The path names the group (a tenant sees only its own and the shared ones); the body names a bot of its own.
  const { available, groups } = await listDemoGroups(db, control, tenantId);
  if (!available) throw notInDemoMode();
  const group = groups.find((g) => g.chatId === chatId);
  if (!group) throw new AppError('not_found', 'Group not found');
  const bot = await db.withTenant(tenantId, (tx) => getBot(tx, botId)).catch((error: unknown) => {
    throw error instanceof AppError && error.code === 'not_found' ? fieldError('bot_id', 'none of your connected bots has this id') : error;
  });
  if (group.botIds.includes(bot.id)) throw new AppError('conflict', `@${bot.username} is already in ${group.title}`);
  await control.post(`/groups/${chatId}/bots`, { botId: bot.telegramBotId, admin: true, canInviteUsers: true, canDeleteMessages: true, canRestrictMembers: true, canPinMessages: true });
  return bot;
}
