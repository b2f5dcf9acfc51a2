import { randomUUID } from 'node:crypto';
import type { Cache } from '../platform/cache/index.js';
import type { Logger } from '../platform/log.js';
import type { Database, TenantTx } from '../platform/db/index.js';
import { AppError } from '../platform/errors.js';
import { createTenant, getTenant, getTenantPlan, recordAudit } from '../tenancy/index.js';
import { reserveLoginAttempt } from './login-throttle.js';
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
      const member = await createOwner(tx, { username, email: input.email, passwordHash, language: input.language });
      return { token: await createSession(tx, member.id, userAgent), tenantId, member };
    });
  } catch (error) {
    // Two registrations racing for one name: the unique index decides, the loser gets a 409.
    if ((error as { code?: string }).code === '23505') throw new AppError('conflict', 'That username or e-mail is already registered');
    throw error;
  }
}

/** The owner login of a new tenant, created in the tenant's own transaction (registration, `import-sqlite --new-tenant`). */
export async function createOwner(tx: TenantTx, owner: { username: string; email: string; passwordHash: string; language?: 'en' | 'tr' }): Promise<Member> {
  const { rows } = await tx.query<Member>(
    `INSERT INTO members (tenant_id, username, email, password_hash, role, language)
     VALUES ($1, $2, $3, $4, 'owner', $5) RETURNING ${memberColumns}`,
    [tx.tenantId, owner.username, owner.email, owner.passwordHash, owner.language ?? null]);
  const member = rows[0]!;
  await recordAudit(tx, { memberId: member.id, action: 'tenant.registered', entity: 'tenant', entityId: tx.tenantId, after: { username: owner.username, email: owner.email } });
  return member;
}

/** A 409 naming the field when the username or e-mail is already a login. */
export async function assertLoginFree(db: Database, username: string, email: string): Promise<void> {
  const taken = await db.withoutTenant(async (tx) =>
    (await tx.query<{ username_taken: boolean; email_taken: boolean }>('SELECT * FROM auth_login_taken($1, $2)', [username, email])).rows[0]);
  const fields = [
    ...(taken?.username_taken ? [{ field: 'username', message: 'is already taken' }] : []),
    ...(taken?.email_taken ? [{ field: 'email', message: 'is already registered' }] : []),
  ];
  if (fields.length > 0) throw new AppError('conflict', 'That username or e-mail is already registered', { fields });
}

/** One password login attempt and where it comes from. */
export interface LoginAttempt {
  /** Username or e-mail. */
  login: string;
  password: string;
  /** The client's address: an unknown device's attempts are counted per address. */
  ip: string;
  /** The device id of a device cookie issued to this member, if the attempt presents one. */
  knownDevice?: (memberId: string) => string | undefined;
  userAgent?: string;
}

/**
 * Logs in by username or e-mail. Nothing in the answer tells an unknown login from a wrong
 * password: both are throttled alike (login-throttle.ts, by the name as typed) and both
 * cost one argon2 verification (a decoy hash for unknown logins). The attempt is reserved
 * before the password is checked, so parallel guesses cannot exceed the budget.
 */
export async function logIn(deps: AccountDeps & { cache: Cache }, attempt: LoginAttempt): Promise<SignedIn> {
  const found = await deps.db.withoutTenant(async (tx) =>
    (await tx.query<{ tenant_id: string; member_id: string; password_hash: string | null }>(
      'SELECT tenant_id, member_id, password_hash FROM auth_find_login($1)', [attempt.login])).rows[0]);
  const deviceId = found && attempt.knownDevice?.(found.member_id);
  const reserved = await reserveLoginAttempt(deps.cache, attempt.login, deviceId ? { deviceId } : { ip: attempt.ip });
  const valid = await deps.hasher.verify(found?.password_hash, attempt.password);
  if (!found || !valid) throw new AppError('invalid_credentials', 'Wrong username or password');
  await reserved.succeeded();
  return deps.db.withTenant(found.tenant_id, async (tx) => {
    const { rows } = await tx.query<Member>(`UPDATE members SET last_login_at = now() WHERE id = $1 RETURNING ${memberColumns}`, [found.member_id]);
    return { token: await createSession(tx, found.member_id, attempt.userAgent), tenantId: found.tenant_id, member: rows[0]! };
  });
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
