import type { TenantTx } from '../platform/db/index.js';
import { AppError, notFound } from '../platform/errors.js';
import { getTemplate } from '../templates/templates.js';
import { getTenantPlan, recordAudit } from '../tenancy/index.js';
import type { BotMembership, Group, GroupSettings } from './contract.js';
import { effectiveSettings, groupSettingsSchema } from './settings.js';

export type { BotMembership, Group } from './contract.js';

const columns = `id, bot_id AS "botId", chat_id AS "chatId", type, title, username, member_count AS "memberCount",
  bot_status AS "botStatus", bot_can_invite AS "botCanInvite", bot_can_delete AS "botCanDelete", enabled,
  paused_reason AS "pausedReason", settings, added_at AS "addedAt", removed_at AS "removedAt"`;

async function withSettings(tx: TenantTx, group: Group): Promise<Group> {
  return { ...group, settings: await effectiveSettings(tx, group.settings) };
}

export async function listGroups(tx: TenantTx, options: { includeRemoved?: boolean } = {}): Promise<Group[]> {
  const { rows } = await tx.query<Group>(
    `SELECT ${columns} FROM groups WHERE ($1 OR removed_at IS NULL) AND NOT try_it ORDER BY removed_at IS NOT NULL, title`, [options.includeRemoved ?? false]);
  return Promise.all(rows.map((g) => withSettings(tx, g)));
}

export async function getGroup(tx: TenantTx, id: string): Promise<Group> {
  const { rows } = await tx.query<Group>(`SELECT ${columns} FROM groups WHERE id = $1`, [id]);
  if (!rows[0]) throw notFound('Group');
  return withSettings(tx, rows[0]);
}

/** The group row a bot serves under a chat id (also under its pre-migration id): SQL with the caller's placeholders. */
const groupByChat = (bot: string, chat: string) =>
  `SELECT ${columns} FROM groups WHERE bot_id = ${bot} AND (chat_id = ${chat} OR migrated_from_chat_id = ${chat}) ORDER BY chat_id = ${chat} DESC LIMIT 1`;

/** The group a bot serves under this chat id (also under its pre-migration id), if any. */
export async function findGroupByChat(tx: TenantTx, botId: string, chatId: number): Promise<Group | undefined> {
  const { rows } = await tx.query<Group>(groupByChat('$1', '$2'), [botId, chatId]);
  return groupFromRow(tx, rows[0]);
}

/**
 * {@link findGroupByChat} as one JSON value (null: no such group), for a statement a caller
 * sends anyway: the update pipeline's first one, where `bot` and `chat` are its own
 * placeholders. {@link groupFromRow} completes what it returns.
 */
export function groupByChatSubquery(bot: string, chat: string): string {
  return `(SELECT row_to_json(g) FROM (${groupByChat(bot, chat)}) g)`;
}

/** A group row as read, with the tenant's defaults filled into its settings. */
export async function groupFromRow(tx: TenantTx, row: Group | null | undefined): Promise<Group | undefined> {
  return row ? withSettings(tx, row) : undefined;
}

export interface ChatSeen {
  chatId: number;
  type: 'group' | 'supergroup' | 'channel';
  title: string;
  username?: string;
}

/**
 * The bot's membership in a group changed (`my_chat_member`): added → the group is
 * recorded (paused if over the plan's group limit), promoted/demoted → rights refreshed,
 * left/kicked → marked removed (history and settings are kept).
 */
export async function recordBotMembership(tx: TenantTx, botId: string, chat: ChatSeen, status: BotMembership, rights: { canInvite: boolean; canDelete: boolean }): Promise<Group> {
  const present = status === 'member' || status === 'administrator' || status === 'restricted';
  const { rows } = await tx.query<{ id: string }>(
    `INSERT INTO groups (tenant_id, bot_id, chat_id, type, title, username, bot_status, bot_can_invite, bot_can_delete, removed_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, CASE WHEN $10 THEN NULL ELSE now() END)
     ON CONFLICT (tenant_id, bot_id, chat_id) DO UPDATE SET
       type = EXCLUDED.type, title = EXCLUDED.title, username = EXCLUDED.username, bot_status = EXCLUDED.bot_status,
       bot_can_invite = EXCLUDED.bot_can_invite, bot_can_delete = EXCLUDED.bot_can_delete,
       removed_at = CASE WHEN $10 THEN NULL ELSE coalesce(groups.removed_at, now()) END,
       added_at = CASE WHEN $10 AND groups.removed_at IS NOT NULL THEN now() ELSE groups.added_at END,
       updated_at = now()
     RETURNING id`,
    [tx.tenantId, botId, chat.chatId, chat.type, chat.title, chat.username ?? null, status, rights.canInvite, rights.canDelete, present]);
  await enforceGroupLimit(tx);
  return getGroup(tx, rows[0]!.id);
}

/**
 * Records the Try-it panel's sandbox group before the bot joins it, marked as such: when the
 * bot's membership arrives it lands on this row, which counts against no plan and is left out
 * of group lists, targets, rule scopes and the checklist.
 */
export async function recordTryItGroup(tx: TenantTx, botId: string, chat: ChatSeen): Promise<void> {
  await tx.query(
    `INSERT INTO groups (tenant_id, bot_id, chat_id, type, title, bot_status, try_it, removed_at) VALUES ($1, $2, $3, $4, $5, 'left', true, now())
     ON CONFLICT (tenant_id, bot_id, chat_id) DO UPDATE SET try_it = true, updated_at = now()`,
    [tx.tenantId, botId, chat.chatId, chat.type, chat.title]);
}

/**
 * Applies the plan's group limit: the oldest groups up to the limit run, the rest are
 * paused with the reason (recorded, not dropped). Runs after membership and plan changes.
 * Returns how many groups are paused now.
 */
export async function enforceGroupLimit(tx: TenantTx): Promise<{ paused: number }> {
  const { maxGroups, plan } = await getTenantPlan(tx);
  const reason = `Over the ${plan.name} plan's limit of ${maxGroups} groups: upgrade or remove a group to resume it`;
  await tx.query(
    `WITH ranked AS (
       SELECT id, row_number() OVER (ORDER BY added_at, id) AS n FROM groups WHERE removed_at IS NULL AND NOT try_it
     )
     UPDATE groups g SET paused_reason = CASE WHEN $1::int IS NOT NULL AND r.n > $1::int THEN $2 ELSE NULL END, updated_at = now()
       FROM ranked r
      WHERE g.id = r.id AND g.paused_reason IS DISTINCT FROM (CASE WHEN $1::int IS NOT NULL AND r.n > $1::int THEN $2 ELSE NULL END)`,
    [maxGroups, reason]);
  const { rows } = await tx.query<{ paused: number }>(`SELECT count(*)::int AS paused FROM groups WHERE removed_at IS NULL AND paused_reason IS NOT NULL AND NOT try_it`);
  return { paused: rows[0]?.paused ?? 0 };
}

/** Telegram turned the group into a supergroup: same group, new id; history and settings stay. */
export async function migrateGroup(tx: TenantTx, botId: string, fromChatId: number, toChatId: number): Promise<void> {
  await tx.query(
    `UPDATE groups SET chat_id = $3, migrated_from_chat_id = $2, type = 'supergroup', updated_at = now()
      WHERE bot_id = $1 AND chat_id = $2
        AND NOT EXISTS (SELECT 1 FROM groups WHERE bot_id = $1 AND chat_id = $3)`, [botId, fromChatId, toChatId]);
}

/** People joined (positive) or left (negative): the known member count follows until the next refresh. */
/** Moves a known member count by `delta` (joins, leaves); answers the new count, or null while it is unknown. */
export async function adjustMemberCount(tx: TenantTx, groupId: string, delta: number): Promise<number | null> {
  const { rows } = await tx.query<{ memberCount: number }>(
    `UPDATE groups SET member_count = greatest(0, member_count + $2) WHERE id = $1 AND member_count IS NOT NULL RETURNING member_count AS "memberCount"`, [groupId, delta]);
  return rows[0]?.memberCount ?? null;
}

export async function updateGroupFacts(tx: TenantTx, groupId: string, facts: { title?: string; memberCount?: number }): Promise<void> {
  await tx.query(`UPDATE groups SET title = coalesce($2, title), member_count = coalesce($3, member_count), updated_at = now() WHERE id = $1`,
    [groupId, facts.title ?? null, facts.memberCount ?? null]);
}

/** Changes a group's settings or enables/disables it; template ids must name templates of the right kind. */
export async function updateGroup(tx: TenantTx, id: string, changes: { enabled?: boolean; settings?: Partial<GroupSettings> }, memberId?: string): Promise<Group> {
  const before = await getGroup(tx, id);
  if (changes.settings) {
    const partial = groupSettingsSchema.partial().parse(changes.settings);
    for (const [field, kind] of [['welcomeTemplateId', 'message'], ['inviteTemplateId', 'invite']] as const) {
      const templateId = partial[field];
      if (templateId && (await getTemplate(tx, templateId).catch(() => undefined))?.kind !== kind) {
        throw new AppError('validation_failed', `${field} must name one of your ${kind} templates`, { fields: [{ field: `settings.${field}`, message: `not a ${kind} template` }] });
      }
    }
  }
  await tx.query(`UPDATE groups SET enabled = coalesce($2, enabled), settings = settings || $3::jsonb, updated_at = now() WHERE id = $1`,
    [id, changes.enabled ?? null, JSON.stringify(changes.settings ?? {})]);
  const after = await getGroup(tx, id);
  await recordAudit(tx, { memberId, action: 'group.updated', entity: 'group', entityId: id, before: { enabled: before.enabled, settings: before.settings }, after: { enabled: after.enabled, settings: after.settings } });
  return after;
}
