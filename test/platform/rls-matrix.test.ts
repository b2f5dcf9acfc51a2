import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PostgresDatabase, type Database } from '../../src/platform/db/index.js';
import { realPostgres } from '../helpers/env.js';
import { startTestApi, registerTenant, type TestApi } from '../helpers/api.js';
import { tenantTables } from '../helpers/catalog.js';
import { seedAllTenantTables } from '../helpers/tenant-fixtures.js';

/**
 * The database isolation matrix: with tenant A in scope, tenant B's rows in every tenant
 * table are invisible to SELECT, untouched by UPDATE and DELETE, and cannot be written
 * with INSERT. Tables are read from the catalog, so new ones are attacked automatically;
 * a table for which B has no rows fails the test (add a fixture) rather than pass empty.
 */
let api: TestApi;
let db: Database;
let a: Awaited<ReturnType<typeof registerTenant>>;
let b: Awaited<ReturnType<typeof registerTenant>>;

before(async () => {
  api = await startTestApi();
  db = api.services.db;
  a = await registerTenant(api, 'rlsa');
  b = await registerTenant(api, 'rlsb');
  for (const t of [a, b]) {
    // Touch every tenant table through real flows, so each has rows of both tenants.
    await api.request('POST', '/api/config/update', { token: t.token, body: { config_key: 'language', config_value: 'tr' } });
    await api.request('POST', '/api/auth/password-reset/request', { body: { email: t.email } });
  }
  await waitFor(async () => (await countAsOwner('password_resets', b.tenantId)) > 0);
  await seedAllTenantTables(db, [a.tenantId, b.tenantId]);
});
after(async () => { await api.close(); });

async function countAsOwner(table: string, tenantId: string): Promise<number> {
  return db.withOwner(async (tx) => Number((await tx.query<{ n: number }>(`SELECT count(*) AS n FROM ${table} WHERE tenant_id = $1`, [tenantId])).rows[0]!.n));
}

async function waitFor(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 50));
  }
}



test('every tenant table: B is invisible and untouchable from A', async (t) => {
  const tables = await tenantTables(db);
  for (const table of tables) {
    await t.test(table, async () => {
      const bRows = await countAsOwner(table, b.tenantId);
      assert.ok(bRows > 0, `fixture: tenant B needs rows in ${table} for this test to mean anything`);

      const seen = await db.withTenant(a.tenantId, async (tx) => ({
        selected: Number((await tx.query<{ n: number }>(`SELECT count(*) AS n FROM ${table} WHERE tenant_id = $1`, [b.tenantId])).rows[0]!.n),
        updated: (await tx.query(`UPDATE ${table} SET tenant_id = tenant_id WHERE tenant_id = $1`, [b.tenantId])).rowCount,
        deleted: (await tx.query(`DELETE FROM ${table} WHERE tenant_id = $1`, [b.tenantId])).rowCount,
        own: Number((await tx.query<{ n: number }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n),
      }));
      assert.deepEqual({ selected: seen.selected, updated: seen.updated, deleted: seen.deleted }, { selected: 0, updated: 0, deleted: 0 });
      assert.equal(seen.own, await countAsOwner(table, a.tenantId), 'A sees exactly its own rows');
      assert.equal(await countAsOwner(table, b.tenantId), bRows, "B's rows are all still there");

      // INSERT a copy of one of B's rows, as A: the policy's WITH CHECK must refuse it.
      const row = await db.withOwner(async (tx) => (await tx.query<{ r: unknown }>(`SELECT to_jsonb(x) AS r FROM ${table} x WHERE tenant_id = $1 LIMIT 1`, [b.tenantId])).rows[0]!.r);
      await assert.rejects(
        db.withTenant(a.tenantId, (tx) => tx.query(`INSERT INTO ${table} OVERRIDING SYSTEM VALUE SELECT * FROM jsonb_populate_record(NULL::${table}, $1::jsonb)`, [JSON.stringify(row)])),
        (error: { code?: string; message: string }) => error.code === '42501' || /row-level security/.test(error.message),
      );
    });
  }
});

test('no tenant set: no tenant row is visible at all', async () => {
  const tables = [...(await tenantTables(db)), 'tenants'];
  const counts = await db.withoutTenant(async (tx) => {
    const out: Record<string, number> = {};
    for (const table of tables) out[table] = Number((await tx.query<{ n: number }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n);
    return out;
  });
  for (const [table, n] of Object.entries(counts)) assert.equal(n, 0, `${table} visible without a tenant`);
});

test('tenants: A sees only itself', async () => {
  const ids = await db.withTenant(a.tenantId, async (tx) => (await tx.query<{ id: string }>('SELECT id FROM tenants')).rows.map((r) => r.id));
  assert.deepEqual(ids, [a.tenantId]);
});

test('a pooled connection does not carry one tenant’s setting into the next transaction', { skip: !realPostgres && 'PGlite has a single connection; covered by the same code path on PostgreSQL' }, async () => {
  const single = new PostgresDatabase({ ownerUrl: process.env.DATABASE_URL!, poolSize: 1 });
  try {
    const first = await single.withTenant(a.tenantId, async (tx) => (await tx.query<{ n: number }>('SELECT count(*) AS n FROM members')).rows[0]!.n);
    assert.equal(Number(first), 1);
    const setting = await single.withoutTenant(async (tx) => (await tx.query<{ s: string | null }>(`SELECT current_setting('app.tenant_id', true) AS s`)).rows[0]!.s);
    assert.ok(!setting, `setting leaked: ${setting}`);
    const second = await single.withTenant(b.tenantId, async (tx) => (await tx.query<{ id: string }>('SELECT tenant_id AS id FROM members')).rows.map((r) => r.id));
    assert.deepEqual(second, [b.tenantId]);
    // A failed transaction must not leave its setting behind either.
    await single.withTenant(a.tenantId, async () => { throw new Error('boom'); }).catch(() => {});
    const after = await single.withoutTenant(async (tx) => Number((await tx.query<{ n: number }>('SELECT count(*) AS n FROM members')).rows[0]!.n));
    assert.equal(after, 0);
  } finally {
    await single.close();
  }
});

test('the same guarantee holds on the embedded database between transactions', async () => {
  await db.withTenant(a.tenantId, async () => {});
  const setting = await db.withoutTenant(async (tx) => (await tx.query<{ s: string | null; u: string }>(`SELECT current_setting('app.tenant_id', true) AS s, current_user AS u`)).rows[0]!);
  assert.ok(!setting.s, `no tenant setting left over (${setting.s})`);
  assert.equal(setting.u, 'kovan_app');
});
