import type { Database } from '../platform/db/index.js';
import type { Logger } from '../platform/log.js';
import type { Mailer } from '../platform/mail.js';
import { hashToken, newToken } from '../platform/crypto.js';
import { AppError, fieldError } from '../platform/errors.js';
import { Hour } from '../platform/time.js';
import { recordAudit } from '../tenancy/index.js';
import { PasswordHasher, assertPasswordAcceptable } from './passwords.js';
import { revokeMemberSessions } from './sessions.js';

export const resetTokenLifetime = Hour;

export interface ResetDeps {
  db: Database;
  hasher: PasswordHasher;
  mailer: Mailer;
  log: Logger;
  /** Base URL of the Mini App, for the link in the e-mail. */
  appUrl: string;
}

/**
 * Starts a password reset. The caller answers at once and identically whether or not the
 * e-mail exists; the lookup and the e-mail happen after the response, so neither the
 * answer nor its timing tells an attacker which addresses have accounts.
 */
export function requestPasswordReset(deps: ResetDeps, email: string): void {
  void sendResetEmail(deps, email).catch((error) => deps.log.error({ err: error }, 'password reset e-mail failed'));
}

async function sendResetEmail(deps: ResetDeps, email: string): Promise<void> {
  const found = await deps.db.withoutTenant(async (tx) =>
    (await tx.query<{ tenant_id: string; member_id: string }>('SELECT * FROM auth_find_member_by_email($1)', [email])).rows[0]);
  if (!found) return;
  const token = newToken('kvr');
  await deps.db.withTenant(found.tenant_id, async (tx) => {
    await tx.query(
      `INSERT INTO password_resets (tenant_id, member_id, token_hash, expires_at)
       VALUES ($1, $2, $3, now() + $4 * interval '1 millisecond')`,
      [tx.tenantId, found.member_id, hashToken(token), resetTokenLifetime]);
  });
  const link = `${deps.appUrl.replace(/\/$/, '')}/#/reset-password?token=${encodeURIComponent(token)}`;
  await deps.mailer.send({
    to: email,
    subject: 'Reset your Kovan password',
    text: `Someone (hopefully you) asked to reset the password of your Kovan account.\n\n` +
      `Open this link within an hour to choose a new password:\n${link}\n\n` +
      `If it was not you, ignore this e-mail: your password stays as it is.`,
  });
}

/**
 * Sets a new password with a reset token and returns whose it was. The token works once
 * (the update that marks it used is conditional), and every other session of the member
 * is ended.
 */
export async function confirmPasswordReset(deps: Pick<ResetDeps, 'db' | 'hasher'>, token: string, password: string): Promise<string> {
  assertPasswordAcceptable(password);
  const hash = hashToken(token);
  const found = await deps.db.withoutTenant(async (tx) =>
    (await tx.query<{ tenant_id: string; reset_id: string }>('SELECT * FROM auth_find_password_reset($1)', [hash])).rows[0]);
  if (!found) throw invalidToken();
  const passwordHash = await deps.hasher.hash(password);
  return deps.db.withTenant(found.tenant_id, async (tx) => {
    const { rows } = await tx.query<{ member_id: string }>(
      `UPDATE password_resets SET used_at = now() WHERE id = $1 AND used_at IS NULL AND expires_at > now() RETURNING member_id`,
      [found.reset_id]);
    const memberId = rows[0]?.member_id;
    if (!memberId) throw invalidToken();
    await tx.query(`UPDATE members SET password_hash = $2 WHERE id = $1`, [memberId, passwordHash]);
    await revokeMemberSessions(tx, memberId);
    await recordAudit(tx, { memberId, action: 'member.password_reset', entity: 'member', entityId: memberId });
    return memberId;
  });
}

function invalidToken(): AppError {
  return fieldError('token', 'This reset link is invalid, used or expired; ask for a new one');
}
