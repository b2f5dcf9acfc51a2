import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { Database } from '../../src/platform/db/index.js';
import { openTestDatabase } from '../helpers/env.js';
import { tenantTables } from '../helpers/catalog.js';

// The catalog lint: new tables join it automatically, so a table added without RLS fails here.
let db: Database;
before(async () => { db = await openTestDatabase(); });
after(async () => { await db.close(); });

test('there are tenant tables to check (the lint is not vacuous)', async () => {
  const tables = await tenantTables(db);
  for (const expected of ['members', 'sessions', 'password_resets', 'subscriptions', 'tenant_configs', 'audit_log', 'idempotency_keys']) {
    assert.ok(tables.includes(expected), `${expected} is a tenant table`);
  }
});

test('every tenant table has RLS enabled and forced, and a policy on app.tenant_id', async () => {
  const tables = [...(await tenantTables(db)), 'tenants'];
  const rows = await db.withOwner(async (tx) => (await tx.query<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean; policies: string[] }>(
    `SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
            coalesce(array_agg(pg_get_expr(p.polqual, p.polrelid)) FILTER (WHERE p.polname IS NOT NULL), '{}') AS policies
       FROM pg_class c LEFT JOIN pg_policy p ON p.polrelid = c.oid
      WHERE c.relname = ANY($1) AND c.relnamespace = 'public'::regnamespace
      GROUP BY c.relname, c.relrowsecurity, c.relforcerowsecurity`, [tables])).rows);
  assert.equal(rows.length, tables.length);
  for (const row of rows) {
    assert.ok(row.relrowsecurity, `${row.relname}: RLS enabled`);
    assert.ok(row.relforcerowsecurity, `${row.relname}: RLS forced`);
    assert.ok(row.policies.some((p) => p.includes('current_tenant_id()')), `${row.relname}: policy on the current tenant (${row.policies})`);
  }
});

test('the app role is not superuser, cannot bypass RLS, and owns nothing', async () => {
  const role = await db.withOwner(async (tx) => (await tx.query<{ rolsuper: boolean; rolbypassrls: boolean; owned: number }>(
    `SELECT r.rolsuper, r.rolbypassrls,
            (SELECT count(*) FROM pg_class c WHERE c.relowner = r.oid)
          + (SELECT count(*) FROM pg_proc p WHERE p.proowner = r.oid)
          + (SELECT count(*) FROM pg_namespace n WHERE n.nspowner = r.oid) AS owned
       FROM pg_roles r WHERE r.rolname = 'kovan_app'`)).rows[0]);
  assert.ok(role, 'kovan_app exists');
  assert.equal(role.rolsuper, false);
  assert.equal(role.rolbypassrls, false);
  assert.equal(Number(role.owned), 0);
});

test('the app role really is the role tenant transactions run as', async () => {
  const user = await db.withTenant(crypto.randomUUID(), async (tx) => (await tx.query<{ u: string }>('SELECT current_user AS u')).rows[0]?.u);
  assert.equal(user, 'kovan_app');
});

test('cross-tenant functions are SECURITY DEFINER with a fixed search_path, and the app may call only those', async () => {
  const fns = await db.withOwner(async (tx) => (await tx.query<{ proname: string; prosecdef: boolean; proconfig: string[] | null }>(
    `SELECT p.proname, p.prosecdef, p.proconfig FROM pg_proc p
      WHERE p.pronamespace = 'public'::regnamespace AND p.prosecdef`)).rows);
  assert.ok(fns.length >= 5, `found ${fns.length} SECURITY DEFINER functions`);
  for (const fn of fns) {
    assert.ok(fn.proconfig?.some((c) => c.startsWith('search_path=')), `${fn.proname} pins search_path`);
  }
  // Every door through RLS is documented where reviewers look for them.
  const documented = await readFile(new URL('../../docs/TENANCY.md', import.meta.url), 'utf8');
  const undocumented = fns.map((f) => f.proname).filter((name) => !documented.includes(`\`${name}(`));
  assert.deepEqual(undocumented, [], 'every SECURITY DEFINER function is listed in docs/TENANCY.md');
});
