import type { TenantTx } from '../platform/db/index.js';

export interface AuditEntry {
  /** Who did it; undefined for the system (a worker, an import). */
  memberId?: string;
  /** Past-tense verb-noun: `template.updated`, `member.invited`. */
  action: string;
  entity: string;
  entityId?: string;
  before?: unknown;
  after?: unknown;
}

/**
 * Records a change in the tenant's audit log, in the same transaction as the change, so
 * the log can never disagree with the data. Secrets must be removed by the caller.
 */
export async function recordAudit(tx: TenantTx, entry: AuditEntry): Promise<void> {
  await tx.query(
    `INSERT INTO audit_log (tenant_id, member_id, action, entity, entity_id, before, after)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb)`,
    [tx.tenantId, entry.memberId ?? null, entry.action, entry.entity, entry.entityId ?? null,
      entry.before === undefined ? null : JSON.stringify(entry.before),
      entry.after === undefined ? null : JSON.stringify(entry.after)],
  );
}
