/** The shapes of a connected bot and its setup checklist as the API returns them: a contract module (docs/ARCHITECTURE.md, Layout). */
import { z } from 'zod';
import { botMemberships } from '../groups/contract.js';
import { instant } from '../platform/contract.js';

export const botStatuses = ['connected', 'degraded', 'failed', 'disconnected'] as const;
export type BotStatus = (typeof botStatuses)[number];

/** A bot as the tenant sees it: never the token, only a hint of it. */
export const botSchema = z.object({
  id: z.uuid(),
  telegramBotId: z.number().int(),
  username: z.string(),
  firstName: z.string(),
  tokenHint: z.string(),
  canReadAllGroupMessages: z.boolean(),
  mode: z.enum(['polling', 'webhook']),
  status: z.enum(botStatuses),
  statusReason: z.string().nullable(),
  lastUpdateAt: instant.nullable(),
  lastSendAt: instant.nullable(),
  lastError: z.string().nullable(),
  lastErrorAt: instant.nullable(),
  webhookRepairs: z.number().int(),
  createdAt: instant,
}).meta({ id: 'Bot' });
export type Bot = z.output<typeof botSchema>;

/** `ok`: nothing to do; `warning`: works, but something the tenant likely wants is missing; `failed`: broken; `skipped`: could not be checked. */
export const checkStatuses = ['ok', 'warning', 'failed', 'skipped'] as const;
export type CheckStatus = (typeof checkStatuses)[number];

/** The bot's standing in one of its groups, as Telegram reports it right now. */
export const groupRightsSchema = z.object({
  groupId: z.uuid(),
  chatId: z.number().int(),
  title: z.string(),
  status: z.enum(checkStatuses),
  membership: z.enum([...botMemberships, 'unknown']),
  canInviteUsers: z.boolean(),
  canDeleteMessages: z.boolean(),
  detail: z.string(),
});
export type GroupRights = z.output<typeof groupRightsSchema>;

export const checklistItemSchema = z.object({
  id: z.enum(['token', 'privacy_mode', 'group_admin', 'webhook']),
  title: z.string(),
  status: z.enum(checkStatuses),
  detail: z.string(),
  /** For `group_admin`: one entry per group. */
  groups: z.array(groupRightsSchema).optional(),
});
export type ChecklistItem = z.output<typeof checklistItemSchema>;

export const setupChecklistSchema = z.object({
  botId: z.uuid(),
  checkedAt: instant,
  /** No item failed: the bot can serve its groups. */
  ready: z.boolean(),
  items: z.array(checklistItemSchema),
}).meta({ id: 'SetupChecklist' });
export type SetupChecklist = z.output<typeof setupChecklistSchema>;
