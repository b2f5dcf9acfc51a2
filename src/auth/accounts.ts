import { randomUUID } from 'node:crypto';
import type { Logger } from '../platform/log.js';
import type { Database, TenantTx } from '../platform/db/index.js';
import { AppError } from '../platform/errors.js';
import { createTenant, getTenant, getTenantPlan, recordAudit } from '../tenancy/index.js';
import { lockoutFor } from './lockout.js';
import { PasswordHasher, assertPasswordAcceptable } from './passwords.js';
import type { Member, Role } from './contract.js';
import { createSession } from './sessions.js';

export interface AccountDeps {
  db: Database;
  hasher: PasswordHasher;
  log: Logger;
  trialDays: number;
}

export type { Member } from './contract.js';

export const memberColumns = `id, username, email, role, display_name AS "displayName",
  telegram_user_id AS "telegramUserId", language, created_at AS "createdAt"`;

export interface RegisterInput {
  username: string;
  email: string;
  password: string;
  tenantName?: string;
  language?: 'en' | 'tr';
}

/** A fresh login: the session token and who it belongs to. */
export interface SignedIn {
  token: string;
  tenantId: string;
  member: Member;
}

/**
 * Registers a customer: a new tenant, its owner, and a Basic subscription in trial, in
 * one transaction. Username and e-mail are unique across Kovan (they are logins).
 */
export async function registerAccount(deps: AccountDeps, input: RegisterInput, userAgent?: string): Promise<SignedIn> {
  const username = input.username.toLowerCase();
  assertPasswordAcceptable(input.password, [input.username, input.email]);
  await assertLoginFree(deps.db, username, input.email);
  const passwordHash = await deps.hasher.hash(input.password);
  const tenantId = randomUUID();
  try {
    return await deps.db.withTenant(tenantId, async (tx) => {
      await createTenant(tx, { name: input.tenantName ?? username, trialDays: deps.trialDays });
      const { rows } = await tx.query<Member>(
        `INSERT INTO members (tenant_id, username, email, password_hash, role, language)
         VALUES ($1, $2, $3, $4, 'owner', $5) RETURNING ${memberColumns}`,
        [tenantId, username, input.email, passwordHash, input.language ?? null]);
      const member = rows[0]!;
      await recordAudit(tx, { memberId: member.id, action: 'tenant.registered', entity: 'tenant', entityId: tenantId, after: { username, email: input.email } });
      return { token: await createSession(tx, member.id, userAgent), tenantId, member };
    });
  } catch (error) {
    // Two registrations racing for one name: the unique index decides, the loser gets a 409.
    if ((error as { code?: string }).code === '23505') throw new AppError('conflict', 'That username or e-mail is already registered');
    throw error;
  }
}

async function assertLoginFree(db: Database, username: string, email: string): Promise<void> {
  const taken = await db.withoutTenant(async (tx) =>
    (await tx.query<{ username_taken: boolean; email_taken: boolean }>('SELECT * FROM auth_login_taken($1, $2)', [username, email])).rows[0]);
  const fields = [
    ...(taken?.username_taken ? [{ field: 'username', message: 'is already taken' }] : []),
    ...(taken?.email_taken ? [{ field: 'email', message: 'is already registered' }] : []),
  ];
  if (fields.length > 0) throw new AppError('conflict', 'That username or e-mail is already registered', { fields });
}

/**
 * Logs in by username or e-mail. Unknown logins cost the same time as wrong passwords; an
 * account locks exponentially after repeated failures (see lockout.ts).
 */
export async function logIn(deps: AccountDeps, login: string, password: string, userAgent?: string): Promise<SignedIn> {
  const found = await deps.db.withoutTenant(async (tx) =>
    (await tx.query<{ tenant_id: string; member_id: string; password_hash: string | null; locked_until: Date | null }>(
      'SELECT * FROM auth_find_login($1)', [login])).rows[0]);
  if (found?.locked_until && found.locked_until.getTime() > Date.now()) {
    throw lockedError(found.locked_until);
  }
  const valid = await deps.hasher.verify(found?.password_hash, password);
  if (!found || !valid) {
    if (found) await recordFailedLogin(deps.db, found.tenant_id, found.member_id);
    throw new AppError('invalid_credentials', 'Wrong username or password');
  }
  return deps.db.withTenant(found.tenant_id, async (tx) => {
    const { rows } = await tx.query<Member>(
      `UPDATE members SET failed_logins = 0, locked_until = NULL, last_login_at = now() WHERE id = $1 RETURNING ${memberColumns}`,
      [found.member_id]);
    return { token: await createSession(tx, found.member_id, userAgent), tenantId: found.tenant_id, member: rows[0]! };
  });
}

async function recordFailedLogin(db: Database, tenantId: string, memberId: string): Promise<void> {
  await db.withTenant(tenantId, async (tx) => {
    const { rows } = await tx.query<{ failed_logins: number }>(
      `UPDATE members SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins`, [memberId]);
    const lockMs = lockoutFor(rows[0]?.failed_logins ?? 0);
    if (lockMs > 0) {
      await tx.query(`UPDATE members SET locked_until = now() + $2 * interval '1 millisecond' WHERE id = $1`, [memberId, lockMs]);
    }
  });
}

function lockedError(until: Date): AppError {
  const retryAfterSeconds = Math.max(1, Math.ceil((until.getTime() - Date.now()) / 1000));
  return new AppError('account_locked', `Too many failed logins; try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
}

/** The member, tenant and plan behind a session: what `GET /api/auth/me` shows. */
export async function describeMember(tx: TenantTx, memberId: string) {
  const { rows } = await tx.query<Member>(`SELECT ${memberColumns} FROM members WHERE id = $1`, [memberId]);
  if (!rows[0]) throw new AppError('unauthenticated', 'Your account no longer exists');
  // One after the other: a transaction is one connection, which runs one query at a time.
  const tenant = await getTenant(tx);
  const plan = await getTenantPlan(tx);
  return { member: rows[0], tenant, plan };
}
