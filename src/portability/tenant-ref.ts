import type { Database } from '../platform/db/index.js';
import { AppError } from '../platform/errors.js';

/** The name of the tenant legacy imports land in when the operator names none. */
export const DefaultTenantName = 'default';

/**
 * The id the default tenant is created with. Fixed, so two imports racing to create it
 * collide on the primary key instead of creating two "default" tenants.
 */
export const DefaultTenantId = '00000000-0000-4000-8000-0000000d3fa1';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The tenant an operator means on the command line: an id, or an exact tenant name when it
 * names exactly one tenant. Finding a tenant by name looks across tenants, so it runs as
 * the owner; it reads ids and names only.
 */
export async function resolveTenant(db: Database, ref: string): Promise<{ id: string; name: string }> {
  const matches = await findTenants(db, ref);
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) throw new AppError('not_found', `No tenant has the id or name "${ref}"`);
  throw new AppError('conflict', `${matches.length} tenants are named "${ref}"; use the id of one: ${matches.map((m) => m.id).join(', ')}`);
}

/** The tenant named "default" if there is one (the oldest, should there be several), else none. */
export async function findDefaultTenant(db: Database): Promise<{ id: string; name: string } | undefined> {
  return (await findTenants(db, DefaultTenantName))[0];
}

async function findTenants(db: Database, ref: string): Promise<Array<{ id: string; name: string }>> {
  return db.withOwner(async (tx) => {
    await tx.query('SET LOCAL row_security = off'); // an owner without BYPASSRLS fails loudly instead of finding nothing
    return (await tx.query<{ id: string; name: string }>(
      `SELECT id, name FROM tenants WHERE ${uuid.test(ref) ? 'id = $1::uuid' : 'name = $1'} ORDER BY created_at`, [ref])).rows;
  });
}
