import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Database } from '../../src/platform/db/index.js';
import { updateConfig } from '../../src/tenancy/index.js';
import { createTestTenant } from '../delivery/fixtures.js';
import { openTestDatabase, realPostgres } from '../helpers/env.js';

/** A snapshot transaction (exports) reads one point in time and writes nothing. */
let db: Database;
before(async () => { db = await openTestDatabase(); });
after(async () => { await db.close(); });

test('a snapshot transaction does not see what commits after it began, and cannot write', { skip: !realPostgres && 'needs two connections at once (PGlite runs one transaction at a time)' }, async () => {
  const { tenantId } = await createTestTenant(db);
  const count = (tx: Parameters<Parameters<Database['withTenant']>[1]>[0]) => tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM tenant_configs`).then((r) => r.rows[0]!.n);
  const seen = await db.withTenant(tenantId, async (tx) => {
    const first = await count(tx);
    await db.withTenant(tenantId, (other) => updateConfig(other, 'language', 'tr'));
    return [first, await count(tx)];
  }, { snapshot: true });
  assert.deepEqual(seen, [0, 0], 'the row committed meanwhile is not seen');
  const plain = await db.withTenant(tenantId, async (tx) => {
    const first = await count(tx);
    await db.withTenant(tenantId, (other) => updateConfig(other, 'time_zone', 'Europe/Istanbul'));
    return [first, await count(tx)];
  });
  assert.deepEqual(plain, [1, 2], 'an ordinary transaction sees it (READ COMMITTED)');
  await assert.rejects(db.withTenant(tenantId, (tx) => tx.query(`DELETE FROM tenant_configs`), { snapshot: true }), /read-only transaction/);
});
