import { z } from 'zod';
import type { TenantTx } from '../platform/db/index.js';
import { decodeCursor, encodeCursor, type Page } from '../http/pagination.js';
import type { Group } from './groups.js';
import { effectiveSettings, type GroupSettings } from './settings.js';

const columns = `id, bot_id AS "botId", chat_id AS "chatId", type, title, username, member_count AS "memberCount",
  bot_status AS "botStatus", bot_can_invite AS "botCanInvite", bot_can_delete AS "botCanDelete", enabled,
  paused_reason AS "pausedReason", settings, added_at AS "addedAt", removed_at AS "removedAt"`;

export interface GroupFilter {
  botId?: string;
  enabled?: boolean;
  /** Part of the title, case-insensitive. */
  search?: string;
  includeRemoved?: boolean;
}

/** Sort key: groups the bot is still in first, then by title, then id. */
const groupCursor = z.tuple([z.union([z.literal(0), z.literal(1)]), z.string().max(300), z.uuid()]);

/**
 * One page of the tenant's groups, by title (groups the bot left last), keyset-paginated in
 * SQL so a tenant with thousands of groups pages as fast as one with five. The tenant's
 * default settings are read once per page, not once per group.
 */
export async function findGroupsPage(tx: TenantTx, filter: GroupFilter, cursor: string | undefined, limit: number): Promise<Page<Group>> {
  const after = cursor ? decodeCursor(cursor, groupCursor) : undefined;
  const { rows } = await tx.query<Group & { removedFlag: 0 | 1 }>(
    `SELECT ${columns}, (removed_at IS NOT NULL)::int AS "removedFlag" FROM groups
      WHERE ($1::boolean OR removed_at IS NULL) AND NOT try_it
        AND ($2::uuid IS NULL OR bot_id = $2::uuid)
        AND ($3::boolean IS NULL OR enabled = $3::boolean)
        AND ($4::text IS NULL OR title ILIKE '%' || $4::text || '%' ESCAPE '\\')
        AND ($5::int IS NULL OR ((removed_at IS NOT NULL)::int, title, id) > ($5::int, $6::text, $7::uuid))
      ORDER BY (removed_at IS NOT NULL)::int, title, id
      LIMIT $8`,
    [filter.includeRemoved ?? false, filter.botId ?? null, filter.enabled ?? null, filter.search === undefined ? null : escapeLike(filter.search),
      after?.[0] ?? null, after?.[1] ?? null, after?.[2] ?? null, limit + 1]);
  const defaults = rows.length > 0 ? await effectiveSettings(tx, {}) : undefined;
  const items = rows.slice(0, limit).map(({ removedFlag: _, ...group }) => ({ ...group, settings: withDefaults(group.settings, defaults!) }));
  const last = rows.length > limit ? rows[limit - 1] : undefined;
  return { items, nextCursor: last ? encodeCursor([last.removedFlag, last.title, last.id]) : null };
}

/** Same rule as effectiveSettings: a stored value wins unless it is null/missing. */
function withDefaults(stored: Partial<GroupSettings>, defaults: GroupSettings): GroupSettings {
  const merged = { ...defaults };
  for (const key of Object.keys(defaults) as Array<keyof GroupSettings>) {
    const value = stored[key];
    if (value !== null && value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  return merged;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
