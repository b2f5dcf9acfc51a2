import { createSession, memberColumns, assertPasswordAcceptable, type Member, type PasswordHasher, type Role, type SignedIn } from '../auth/index.js';
import { hashToken, newToken } from '../platform/crypto.js';
import type { Database, TenantTx } from '../platform/db/index.js';
import { AppError, fieldError, notFound } from '../platform/errors.js';
import { Day } from '../platform/time.js';
import { recordAudit } from '../tenancy/index.js';
import type { Invitation } from './contract.js';

export type { Invitation, InvitationStatus } from './contract.js';

/** An invitation stays usable this long. */
export const invitationLifetime = 7 * Day;

const columns = `id, email, role, invited_by AS "invitedBy", expires_at AS "expiresAt", accepted_at AS "acceptedAt",
  accepted_member_id AS "acceptedMemberId", created_at AS "createdAt",
  CASE WHEN accepted_at IS NOT NULL THEN 'accepted' WHEN revoked_at IS NOT NULL THEN 'revoked'
       WHEN expires_at <= now() THEN 'expired' ELSE 'pending' END AS status`;

/**
 * Invites a teammate by e-mail with a role. Logins are global in Kovan, so an address that
 * already has a login (here or in another account) cannot be invited. Inviting an address
 * again replaces its open invitation. Returns the single-use token for the e-mail; only its
 * SHA-256 is stored.
 */
export async function inviteMember(tx: TenantTx, input: { email: string; role: Role }, invitedBy: string): Promise<{ invitation: Invitation; token: string }> {
  const taken = (await tx.query<{ email_taken: boolean }>(`SELECT email_taken FROM auth_login_taken('', $1)`, [input.email])).rows[0];
  if (taken?.email_taken) throw fieldError('email', 'already has a Kovan login (a login belongs to one account)', 'conflict');
  await tx.query(`UPDATE invitations SET revoked_at = now() WHERE lower(email) = lower($1) AND accepted_at IS NULL AND revoked_at IS NULL`, [input.email]);
  const token = newToken('kvi');
  const { rows } = await tx.query<Invitation>(
    `INSERT INTO invitations (tenant_id, email, role, token_hash, invited_by, expires_at)
     VALUES ($1, $2, $3, $4, $5, now() + $6 * interval '1 millisecond') RETURNING ${columns}`,
    [tx.tenantId, input.email, input.role, hashToken(token), invitedBy, invitationLifetime]);
  const invitation = rows[0]!;
  await recordAudit(tx, { memberId: invitedBy, action: 'member.invited', entity: 'invitation', entityId: invitation.id, after: { email: input.email, role: input.role } });
  return { invitation, token };
}

export async function listInvitations(tx: TenantTx): Promise<Invitation[]> {
  return (await tx.query<Invitation>(`SELECT ${columns} FROM invitations ORDER BY created_at, id`)).rows;
}

export async function getInvitation(tx: TenantTx, id: string): Promise<Invitation> {
  const { rows } = await tx.query<Invitation>(`SELECT ${columns} FROM invitations WHERE id = $1`, [id]);
  if (!rows[0]) throw notFound('Invitation');
  return rows[0];
}

/** Withdraws an open invitation; its link stops working. Accepted ones stay as they are. */
export async function revokeInvitation(tx: TenantTx, id: string, byMemberId: string): Promise<Invitation> {
  const before = await getInvitation(tx, id);
  if (before.status !== 'pending') return before;
  await tx.query(`UPDATE invitations SET revoked_at = now() WHERE id = $1`, [id]);
  await recordAudit(tx, { memberId: byMemberId, action: 'invitation.revoked', entity: 'invitation', entityId: id, before: { email: before.email, role: before.role } });
  return getInvitation(tx, id);
}

export interface AcceptDeps {
  db: Database;
  hasher: PasswordHasher;
}

/**
 * Accepts an invitation: creates the member (with the invited e-mail and role) and signs
 * them in. The token works once: the update that marks it used is conditional, so two
 * racing accepts cannot both create a member.
 */
export async function acceptInvitation(deps: AcceptDeps, input: { token: string; username: string; password: string }, userAgent?: string): Promise<SignedIn> {
  assertPasswordAcceptable(input.password, [input.username]);
  const found = await deps.db.withoutTenant(async (tx) =>
    (await tx.query<{ tenant_id: string; invitation_id: string }>('SELECT * FROM invitation_find($1)', [hashToken(input.token)])).rows[0]);
  if (!found) throw invalidToken();
  const username = input.username.toLowerCase();
  const usernameTaken = await deps.db.withoutTenant(async (tx) =>
    (await tx.query<{ username_taken: boolean }>(`SELECT username_taken FROM auth_login_taken($1, '')`, [username])).rows[0]?.username_taken);
  if (usernameTaken) throw fieldError('username', 'is already taken', 'conflict');
  const passwordHash = await deps.hasher.hash(input.password);
  try {
    return await deps.db.withTenant(found.tenant_id, async (tx) => {
      const { rows } = await tx.query<{ email: string; role: Role; invited_by: string | null }>(
        `UPDATE invitations SET accepted_at = now()
          WHERE id = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()
          RETURNING email, role, invited_by`, [found.invitation_id]);
      const invitation = rows[0];
      if (!invitation) throw invalidToken();
      const member = (await tx.query<Member>(
        `INSERT INTO members (tenant_id, username, email, password_hash, role) VALUES ($1, $2, $3, $4, $5) RETURNING ${memberColumns}`,
        [tx.tenantId, username, invitation.email, passwordHash, invitation.role])).rows[0]!;
      await tx.query(`UPDATE invitations SET accepted_member_id = $2 WHERE id = $1`, [found.invitation_id, member.id]);
      await recordAudit(tx, { memberId: member.id, action: 'member.joined', entity: 'member', entityId: member.id, after: { username, email: invitation.email, role: invitation.role, invitedBy: invitation.invited_by } });
      return { token: await createSession(tx, member.id, userAgent), tenantId: tx.tenantId, member };
    });
  } catch (error) {
    if ((error as { code?: string }).code === '23505') throw new AppError('conflict', 'That username or e-mail is already registered');
    throw error;
  }
}

function invalidToken(): AppError {
  return fieldError('token', 'This invitation is invalid, used, withdrawn or expired; ask for a new one');
}
