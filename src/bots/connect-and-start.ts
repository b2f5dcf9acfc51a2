import { publishEvents, signalSession } from '../events/index.js';
import type { Services } from '../http/types.js';
import { connectBot, type Bot } from './bots.js';

/**
 * Connects a bot by its token (checked with Telegram, sealed) and tells the fleet and the
 * tenant's open screens: the one path for a pasted token and a demo test bot alike.
 */
export async function connectBotAndStart(services: Services, tenantId: string, memberId: string | undefined, token: string): Promise<Bot> {
  const telegram = { secrets: services.secrets, apiRoot: services.config.TELEGRAM_API_ROOT, publicUrl: services.config.PUBLIC_URL };
  const bot = await services.db.withTenant(tenantId, (tx) => connectBot(tx, telegram, token, memberId));
  await signalSession(services.cache, tenantId, { botsChanged: true });
  await publishEvents(services.cache, tenantId, [{ type: 'bot_status', at: new Date().toISOString(), data: { botId: bot.id, username: bot.username, status: bot.status } }]);
  return bot;
}
