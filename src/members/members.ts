import { revokeMemberApiKeys } from '../api-keys/index.js';
import { memberColumns, type Role } from '../auth/index.js';
import type { TenantTx } from '../platform/db/index.js';
import { AppError, notFound } from '../platform/errors.js';
import { recordAudit } from '../tenancy/index.js';
import type { TeamMember } from './contract.js';

export type { TeamMember } from './contract.js';

const columns = `${memberColumns}, last_login_at AS "lastLoginAt"`;

export async function listMembers(tx: TenantTx): Promise<TeamMember[]> {
  return (await tx.query<TeamMember>(`SELECT ${columns} FROM members ORDER BY created_at, id`)).rows;
}

export async function getMember(tx: TenantTx, id: string): Promise<TeamMember> {
  const { rows } = await tx.query<TeamMember>(`SELECT ${columns} FROM members WHERE id = $1`, [id]);
  if (!rows[0]) throw notFound('Member');
  return rows[0];
}

/**
 * Locks the tenant's owners until commit and fails when `memberId` is the last one: a
 * tenant always keeps an owner. Locking makes two owners demoting each other at once
 * queue up, so they cannot both succeed.
 */
async function assertNotLastOwner(tx: TenantTx, member: TeamMember, what: string): Promise<void> {
  if (member.role !== 'owner') return;
  const { rows } = await tx.query<{ id: string }>(`SELECT id FROM members WHERE role = 'owner' ORDER BY id FOR UPDATE`);
  if (rows.length <= 1) throw new AppError('conflict', `The last owner cannot be ${what}: make another member owner first`);
}

/** Changes a member's role; takes effect on their next request (roles are read per request). */
export async function changeMemberRole(tx: TenantTx, id: string, role: Role, byMemberId: string): Promise<TeamMember> {
  const before = await getMember(tx, id);
  if (before.role === role) return before;
  if (role !== 'owner') await assertNotLastOwner(tx, before, 'demoted');
  await tx.query(`UPDATE members SET role = $2 WHERE id = $1`, [id, role]);
  await recordAudit(tx, { memberId: byMemberId, action: 'member.role_changed', entity: 'member', entityId: id, before: { role: before.role }, after: { role } });
  return getMember(tx, id);
}

/**
 * Removes a member from the team: their sessions end with them (cascade), and API keys
 * they made are revoked (the audit log keeps their id on what they did).
 */
export async function removeMember(tx: TenantTx, id: string, byMemberId: string): Promise<void> {
  const before = await getMember(tx, id);
  await assertNotLastOwner(tx, before, 'removed');
  await revokeMemberApiKeys(tx, id);
  await tx.query(`DELETE FROM members WHERE id = $1`, [id]);
  await recordAudit(tx, { memberId: byMemberId, action: 'member.removed', entity: 'member', entityId: id, before: { username: before.username, email: before.email, role: before.role } });
}
