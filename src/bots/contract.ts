/** The shape of a connected bot as the API returns it: a contract module (docs/ARCHITECTURE.md, Layout). */

export type BotStatus = 'connected' | 'degraded' | 'failed' | 'disconnected';

/** A bot as the tenant sees it: never the token, only a hint of it. */
export interface Bot {
  id: string;
  telegramBotId: number;
  username: string;
  firstName: string;
  tokenHint: string;
  canReadAllGroupMessages: boolean;
  mode: 'polling' | 'webhook';
  status: BotStatus;
  statusReason: string | null;
  lastUpdateAt: string | null;
  lastSendAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  webhookRepairs: number;
  createdAt: string;
}
