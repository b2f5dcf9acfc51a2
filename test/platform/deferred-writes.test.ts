import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Database, TenantTx } from '../../src/platform/db/index.js';
import { withDeferredWrites } from '../../src/platform/db/deferred-writes.js';
import { createTestTenant } from '../delivery/fixtures.js';
import { openTestDatabase } from '../helpers/env.js';

/** Deferred writes (`tx.queryLater`): one round trip for several writes, in the order the code issued them. */
let db: Database;
before(async () => { db = await openTestDatabase(); });
after(async () => { await db.close(); });

const setConfig = `INSERT INTO tenant_configs (tenant_id, key, value) VALUES ($1, $2, $3::jsonb)`;
const configs = (tx: TenantTx) => tx.query<{ key: string; value: unknown }>(`SELECT key, value FROM tenant_configs ORDER BY key`).then((r) => r.rows);

test('queued writes reach the database before the next query and before the commit, each with its own parameters', async () => {
  const { tenantId } = await createTestTenant(db);
  const seenInside = await db.withTenant(tenantId, async (tx) => {
    tx.queryLater(setConfig, [tenantId, 'language', '"tr"']);
    // Sent together with the INSERTs beside it, this UPDATE shares their snapshot: it cannot see their rows.
    tx.queryLater(`UPDATE tenant_configs SET value = $1::jsonb WHERE key = $2`, ['"never seen"', 'time_zone']);
    tx.queryLater(setConfig, [tenantId, 'time_zone', '"Europe/Istanbul"']);
    const inside = await configs(tx);
    tx.queryLater(`UPDATE tenant_configs SET value = $2::jsonb WHERE key = $1`, ['language', '"en"']);
    return inside;
  });
  assert.deepEqual(seenInside, [{ key: 'language', value: 'tr' }, { key: 'time_zone', value: 'Europe/Istanbul' }], 'the next query sees the queued writes');
  assert.deepEqual(await db.withTenant(tenantId, configs), [{ key: 'language', value: 'en' }, { key: 'time_zone', value: 'Europe/Istanbul' }], 'the last write went before the commit');
});

test('writes queued together cost one round trip', async () => {
  const { tenantId } = await createTestTenant(db);
  const sent = await db.withTenant(tenantId, async (tx) => {
    const statements: string[] = [];
    const counted = withDeferredWrites({ query: (sql: string, params?: readonly unknown[]) => { statements.push(sql); return tx.query(sql, params); } });
    counted.queryLater(setConfig, [tenantId, 'language', '"tr"']);
    counted.queryLater(setConfig, [tenantId, 'time_zone', '"UTC"']);
    await counted.query(`SELECT 1`);
    return statements;
  });
  assert.equal(sent.length, 2, `one statement for both writes, then the query: ${sent.join(' | ')}`);
  assert.match(sent[0]!, /^WITH w0 AS \(INSERT[\s\S]*\$1, \$2, \$3[\s\S]*w1 AS \(INSERT[\s\S]*\$4, \$5, \$6/);
});

test('a failing queued write fails the transaction, and nothing of it stays', async () => {
  const { tenantId } = await createTestTenant(db);
  await assert.rejects(db.withTenant(tenantId, async (tx) => {
    tx.queryLater(setConfig, [tenantId, 'time_zone', '"UTC"']);
    tx.queryLater(setConfig, [tenantId, 'time_zone', '"Europe/Berlin"']);
  }), /duplicate key|unique/i);
  assert.deepEqual(await db.withTenant(tenantId, configs), [], 'rolled back');
});
