/** Bots: the tenant's Telegram bots, their tokens (sealed), health, and the Telegram client. */
export { connectBot, listBots, getBot, openBotCredentials, disconnectBot, setBotStatus, type Bot, type BotStatus, type BotCredentials, type ConnectDeps } from './bots.js';
export { connectBotAndStart } from './connect-and-start.js';
export { TelegramClient, type SendOptions } from './telegram-client.js';
export { TelegramCallError, classifyTelegramError, type TelegramFailure } from './telegram-errors.js';
export { runSetupChecklist, type SetupChecklist, type ChecklistItem, type CheckStatus, type GroupRights } from './setup-checklist.js';
