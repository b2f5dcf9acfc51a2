/** The shapes of a group and its settings as the API returns them: a contract module (docs/ARCHITECTURE.md, Layout). */
import { z } from 'zod';
import { instant } from '../platform/contract.js';

export const botMemberships = ['member', 'administrator', 'restricted', 'left', 'kicked'] as const;
export type BotMembership = (typeof botMemberships)[number];

export const joinRequestActions = ['approve', 'decline', 'leave_pending'] as const;
export type JoinRequestAction = (typeof joinRequestActions)[number];

/** Per-group behaviour, as a group shows it: stored as JSON on the group, missing keys take the tenant's defaults. */
export const effectiveSettingsSchema = z.object({
  welcomeEnabled: z.boolean(),
  welcomeTemplateId: z.string().nullable(),
  inviteTemplateId: z.string().nullable(),
  joinRequestAction: z.enum(joinRequestActions),
  autoReply: z.boolean(),
  /** Local `HH:MM` times in the tenant's zone; planned posts wait until the window ends. */
  quietHours: z.object({ start: z.string(), end: z.string() }).nullable().describe('Local HH:MM times in the tenant\'s time zone'),
}).meta({ id: 'GroupSettings' });
export type GroupSettings = z.output<typeof effectiveSettingsSchema>;

export const groupSchema = z.object({
  id: z.uuid(),
  botId: z.uuid(),
  chatId: z.number().int(),
  type: z.enum(['group', 'supergroup', 'channel']),
  title: z.string(),
  username: z.string().nullable(),
  memberCount: z.number().int().nullable(),
  botStatus: z.enum(botMemberships),
  botCanInvite: z.boolean(),
  botCanDelete: z.boolean(),
  enabled: z.boolean(),
  pausedReason: z.string().nullable(),
  settings: effectiveSettingsSchema,
  addedAt: instant,
  removedAt: instant.nullable(),
}).meta({ id: 'Group' });
export type Group = z.output<typeof groupSchema>;
