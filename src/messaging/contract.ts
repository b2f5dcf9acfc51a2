/** The shape of a message history row as the API returns it: a contract module (docs/ARCHITECTURE.md, Layout). */
import { z } from 'zod';
import { instant } from '../platform/contract.js';

/** One message in or out, as `GET /api/messages/history` lists it (newest first). */
export const historyItemSchema = z.object({
  id: z.number().int(),
  at: instant,
  botId: z.uuid(),
  chatId: z.number().int(),
  chatType: z.string(),
  telegramMessageId: z.number().int().nullable(),
  userId: z.number().int().nullable(),
  direction: z.enum(['in', 'out']),
  kind: z.string().describe('text, command, join, leave, join_request, service, reply, welcome, invite, scheduled, broadcast, notification, …'),
  text: z.string().nullable(),
  templateId: z.string().nullable(),
  deliveryId: z.string().nullable(),
  status: z.string().describe('What became of it: received, sent, failed, …'),
  reason: z.string().nullable(),
}).meta({ id: 'HistoryItem' });
export type HistoryItem = z.output<typeof historyItemSchema>;

/** The latest activity the dashboard shows: a history row, its text cut to 120 characters. */
/** A row of the dashboard's recent activity: who wrote, in which group, and whether its text is Telegram HTML. */
export const recentActivitySchema = historyItemSchema.pick({ id: true, at: true, chatId: true, userId: true, direction: true, kind: true, status: true, text: true }).extend({
  /** The person's name as Telegram gave it (incoming rows). */
  userName: z.string().nullable(),
  /** The group's title; null for a private chat. */
  groupTitle: z.string().nullable(),
  /** The text is Telegram HTML (what the bot sent with parse mode HTML); people's messages are plain. */
  html: z.boolean(),
}).meta({ id: 'RecentActivity' });
export type RecentActivity = z.output<typeof recentActivitySchema>;

/** A page of history, with the instants the request's dates resolved to. */
export const historyPageSchema = z.object({
  items: z.array(historyItemSchema),
  nextCursor: z.string().nullable(),
  range: z.object({ from: z.string(), to: z.string() }),
});
