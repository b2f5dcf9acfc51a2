import { z } from 'zod';
import type { TenantTx } from '../platform/db/index.js';
import { clock, getConfig } from '../tenancy/index.js';
import type { GroupSettings } from './contract.js';

export type { GroupSettings, JoinRequestAction } from './contract.js';

/** The API's check of {@link GroupSettings} (a partial of it on updates). */
export const groupSettingsSchema = z.strictObject({
  welcomeEnabled: z.boolean(),
  welcomeTemplateId: z.uuid().nullable(),
  inviteTemplateId: z.uuid().nullable(),
  joinRequestAction: z.enum(['approve', 'decline', 'leave_pending']),
  autoReply: z.boolean(),
  quietHours: z.strictObject({ start: clock, end: clock }).nullable(),
}) satisfies z.ZodType<GroupSettings>;

/** A group's settings with the tenant's defaults filled in. */
export async function effectiveSettings(tx: TenantTx, stored: Partial<GroupSettings>): Promise<GroupSettings> {
  return {
    welcomeEnabled: stored.welcomeEnabled ?? (await getConfig(tx, 'welcome_new_members')),
    welcomeTemplateId: stored.welcomeTemplateId ?? null,
    inviteTemplateId: stored.inviteTemplateId ?? null,
    joinRequestAction: stored.joinRequestAction ?? (await getConfig(tx, 'join_request_action')),
    autoReply: stored.autoReply ?? true,
    quietHours: stored.quietHours ?? (await getConfig(tx, 'quiet_hours')),
  };
}
