import { z } from 'zod';
import { decodeCursor, encodeCursor, type Page } from '../http/pagination.js';
import type { TenantTx } from '../platform/db/index.js';
import type { AuditRecord } from './contract.js';

export type { AuditRecord } from './contract.js';

export interface AuditFilter {
  entity?: string;
  entityId?: string;
  action?: string;
  memberId?: string;
  from: Date;
  to: Date;
}

const auditCursor = z.tuple([z.number().int().positive()]);

/** The audit log, newest first, cursor-paginated over its id (the PK index: deep pages stay cheap). */
export async function findAuditPage(tx: TenantTx, filter: AuditFilter, cursor: string | undefined, limit: number): Promise<Page<AuditRecord>> {
  const after = cursor ? decodeCursor(cursor, auditCursor) : undefined;
  const { rows } = await tx.query<AuditRecord>(
    `SELECT a.id, a.at, a.action, a.entity, a.entity_id AS "entityId", a.member_id AS "memberId", m.username AS "memberUsername", a.before, a.after
       FROM audit_log a LEFT JOIN members m ON m.id = a.member_id
      WHERE a.at >= $1 AND a.at < $2
        AND ($3::text IS NULL OR a.entity = $3::text)
        AND ($4::text IS NULL OR a.entity_id = $4::text)
        AND ($5::text IS NULL OR a.action = $5::text OR a.action LIKE $5::text || '.%')
        AND ($6::uuid IS NULL OR a.member_id = $6::uuid)
        AND ($7::bigint IS NULL OR a.id < $7::bigint)
      ORDER BY a.id DESC LIMIT $8`,
    [filter.from, filter.to, filter.entity ?? null, filter.entityId ?? null, filter.action ?? null, filter.memberId ?? null, after?.[0] ?? null, limit + 1]);
  const items = rows.slice(0, limit);
  const last = rows.length > limit ? rows[limit - 1] : undefined;
  return { items, nextCursor: last ? encodeCursor([last.id]) : null };
}
