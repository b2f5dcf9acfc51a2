import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Database } from '../../src/platform/db/index.js';
import { SecretBox } from '../../src/platform/crypto.js';
import { exportTenant, type ExportSecrets } from '../../src/portability/tenant-export.js';
import { importTenant } from '../../src/portability/tenant-import.js';
import { deleteTenant } from '../../src/portability/tenant-delete.js';
import { extractTarball } from '../../src/portability/tarball.js';
import { archiveEntryName, isCredentialColumn, type ArchiveManifest } from '../../src/portability/archive-format.js';
import { readTenantCatalog } from '../../src/portability/catalog.js';
import { createTenant } from '../../src/tenancy/index.js';
import { openTestDatabase } from '../helpers/env.js';
import { openOtherInstance, seedTenant, type SeededTenant } from './helpers.js';

const keyA = new SecretBox(randomBytes(32));
const keyB = new SecretBox(randomBytes(32));
const archiveKey = new SecretBox(randomBytes(32));
let source: Database;
let other: Awaited<ReturnType<typeof openOtherInstance>>;
let seeded: SeededTenant;
let neighbour: SeededTenant;
const work = mkdtempSync(path.join(tmpdir(), 'kovan-archive-test-'));

before(async () => {
  source = await openTestDatabase();
  other = await openOtherInstance();
  seeded = await seedTenant(source, keyA);
  neighbour = await seedTenant(source, keyA);
});
after(async () => {
  await source.close();
  await other.close();
  await rm(work, { recursive: true, force: true });
});

async function exportTo(file: string, secrets: ExportSecrets, tenantId = seeded.tenantId): Promise<ArchiveManifest> {
  return exportTenant(source, tenantId, createWriteStream(file), secrets);
}

/** Rows of every table in an archive, parsed. */
async function unpack(file: string): Promise<{ manifest: ArchiveManifest; rows: Record<string, Array<Record<string, unknown>>> }> {
  const dir = mkdtempSync(path.join(work, 'x-'));
  await extractTarball(createReadStream(file), dir, { allowedName: archiveEntryName, maxTotalBytes: 1e9 });
  const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as ArchiveManifest;
  const rows: Record<string, Array<Record<string, unknown>>> = {};
  for (const t of manifest.tables) {
    rows[t.name] = (await readFile(path.join(dir, t.file), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l));
  }
  return { manifest, rows };
}

/** A row without the values an import is expected to change (ids: UUIDs, identities) or an own download leaves out (credentials). */
async function comparer(db: Database): Promise<(manifest: ArchiveManifest, table: string, row: Record<string, unknown>) => string> {
  const catalog = await db.withOwner((tx) => readTenantCatalog(tx));
  const identities = new Set(catalog.tables.flatMap((t) => t.columns.filter((c) => c.identity).map((c) => `${t.name}.${c.name}`)));
  return (manifest, table, row) => {
    const columns = manifest.tables.find((t) => t.name === table)!.columns;
    const kept = columns.filter((c) => !c.type.startsWith('uuid') && !isCredentialColumn(c.name) && !identities.has(`${table}.${c.name}`));
    return JSON.stringify(kept.map((c) => row[c.name]));
  };
}

test('an operator export moves a tenant to another instance: every row, new ids, secrets re-sealed under the target key', async () => {
  const file = path.join(work, 'sealed.tar.gz');
  const manifest = await exportTo(file, { mode: 'sealed', instance: keyA, archive: archiveKey });
  assert.equal(manifest.secrets, 'sealed');
  assert.deepEqual(manifest.tables.map((t) => t.name).slice(0, 1), ['tenants']);
  assert.ok(!manifest.tables.some((t) => t.name === 'sessions'), 'login sessions are not exported');
  const archived = await unpack(file);
  // RLS scoped the export: not one row of the neighbouring tenant.
  const text = JSON.stringify(archived.rows);
  assert.ok(!text.includes(neighbour.tenantId));
  assert.ok(text.includes('9007199254740993'), 'ids beyond 2^53 keep every digit');
  assert.ok(!text.includes(seeded.botToken), 'no secret in clear');

  const report = await importTenant(other.db, createReadStream(file), { instance: keyB, archiveKey });
  try {
    assert.notEqual(report.tenantId, seeded.tenantId);
    for (const t of report.tables) {
      assert.equal(t.imported, t.rows, `${t.name}: every row imported`);
      assert.deepEqual(t.skipped, {});
    }

    await other.db.withTenant(report.tenantId, async (tx) => {
      const [tenant] = (await tx.query<{ is_operator: boolean; name: string }>('SELECT * FROM tenants')).rows;
      assert.equal(tenant!.is_operator, false);
      assert.match(tenant!.name, /🐝 مرحبا/);
      const bots = (await tx.query<{ token_sealed: string; id: string; status: string }>('SELECT * FROM bots ORDER BY status')).rows;
      const bot = bots.find((b) => b.status === 'connected');
      assert.equal(keyB.open(bot!.token_sealed, report.tenantId), seeded.botToken, 'the token opens under the target key and the new tenant');
      assert.equal(bots.find((b) => b.status === 'disconnected')!.token_sealed, '', 'an empty secret stays empty');
      const [webhook] = (await tx.query<{ secret_sealed: string; id: string }>('SELECT * FROM webhooks')).rows;
      assert.equal(keyB.open(webhook!.secret_sealed, report.tenantId), 'webhook-signing-secret');
      const [delivery] = (await tx.query<{ webhook_id: string }>('SELECT webhook_id FROM webhook_deliveries')).rows;
      assert.equal(delivery!.webhook_id, webhook!.id);
      const [outbox] = (await tx.query<{ template_id: string; seq: number }>('SELECT template_id, seq FROM outbox')).rows;
      assert.equal(outbox!.template_id, (await tx.query<{ id: string }>(`SELECT id FROM templates WHERE name = 'hello'`)).rows[0]!.id);
      const [member] = (await tx.query<{ id: string; password_hash: string }>('SELECT * FROM members')).rows;
      assert.notEqual(member!.id, seeded.memberId, 'ids are remapped');
      assert.equal(member!.password_hash, 'argon2-hash-placeholder', 'password hashes travel with an operator export');
      const [rule] = (await tx.query<{ template_id: string; group_ids: string[] }>('SELECT * FROM reply_rules')).rows;
      const templates = (await tx.query<{ id: string; name: string }>(`SELECT id, name FROM templates`)).rows;
      assert.equal(rule!.template_id, templates.find((t) => t.name === 'hello')!.id, 'references follow the remapped ids');
      const [group] = (await tx.query<{ id: string; bot_id: string }>('SELECT id, bot_id FROM groups')).rows;
      assert.deepEqual(rule!.group_ids, [group!.id]);
      assert.equal(group!.bot_id, bot!.id);
      const [config] = (await tx.query<{ updated_by: string }>('SELECT updated_by FROM tenant_configs')).rows;
      assert.equal(config!.updated_by, member!.id);
      const audit = (await tx.query<{ action: string }>('SELECT action FROM audit_log ORDER BY id')).rows.map((r) => r.action);
      assert.deepEqual(audit, ['seeded', 'tenant.imported']);
    });

    // Everything except the remapped ids is identical: export both sides and compare table by table.
    const copy = path.join(work, 'copy.tar.gz');
    await exportTenant(other.db, report.tenantId, createWriteStream(copy), { mode: 'omitted' });
    const roundTrip = await unpack(copy);
    const comparable = await comparer(source);
    for (const t of archived.manifest.tables) {
      if (t.name === 'audit_log') continue; // gains the import's own entry
      const expected = archived.rows[t.name]!.map((r) => comparable(archived.manifest, t.name, r)).sort();
      const actual = roundTrip.rows[t.name]!.map((r) => comparable(archived.manifest, t.name, r)).sort();
      assert.deepEqual(actual, expected, t.name);
    }
  } finally {
    await deleteTenant(other.db, report.tenantId);
  }
});

test('importing into an instance that already has the same logins fails cleanly and writes nothing', async () => {
  const file = path.join(work, 'twice.tar.gz');
  await exportTo(file, { mode: 'sealed', instance: keyA, archive: archiveKey });
  const first = await importTenant(other.db, createReadStream(file), { instance: keyB, archiveKey });
  try {
    const tenantsBefore = await countTenants(other.db);
    await assert.rejects(importTenant(other.db, createReadStream(file), { instance: keyB, archiveKey }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'conflict');
      assert.match(error.message, /Cannot import \w+: it conflicts with data already in this instance \(duplicate key value violates unique constraint/);
      return true;
    });
    assert.equal(await countTenants(other.db), tenantsBefore);
  } finally {
    await deleteTenant(other.db, first.tenantId);
  }
});

test("a tenant's own download carries no credentials; importing it skips what cannot work without them", async () => {
  const file = path.join(work, 'own.tar.gz');
  const manifest = await exportTo(file, { mode: 'omitted' });
  assert.equal(manifest.secrets, 'omitted');
  assert.equal(manifest.keyCheck, undefined);
  const { rows } = await unpack(file);
  for (const [table, list] of Object.entries(rows)) {
    for (const row of list) {
      for (const [column, value] of Object.entries(row)) {
        if (column.endsWith('_sealed') || column.endsWith('_hash')) assert.equal(value, null, `${table}.${column}`);
      }
    }
  }
  const report = await importTenant(other.db, createReadStream(file), { instance: keyB });
  const outcome = Object.fromEntries(report.tables.map((t) => [t.name, [t.imported, t.skipped]]));
  assert.deepEqual(outcome.bots, [0, { 'token_sealed was not in the archive (secrets omitted): reconnect it after the import': 2 }]);
  assert.deepEqual(outcome.webhooks, [0, { 'secret_sealed was not in the archive (secrets omitted): reconnect it after the import': 1 }]);
  assert.deepEqual(outcome.webhook_deliveries, [0, { 'the webhooks row it belongs to was skipped': 1 }], 'children of a skipped row are skipped, not a foreign-key failure');
  assert.deepEqual(outcome.api_keys, [0, { 'token_hash was not in the archive (secrets omitted): reconnect it after the import': 1 }]);
  assert.deepEqual(outcome.members, [1, {}], 'members come without password hashes: they reset their password');
  await deleteTenant(other.db, report.tenantId);
});

test('damaged, foreign or wrongly keyed archives are refused before anything is written', async () => {
  const file = path.join(work, 'good.tar.gz');
  await exportTo(file, { mode: 'sealed', instance: keyA, archive: archiveKey });
  const tenantsBefore = await countTenants(other.db);
  await assert.rejects(importTenant(other.db, createReadStream(file), { instance: keyB }), /archive key/);
  await assert.rejects(importTenant(other.db, createReadStream(file), { instance: keyB, archiveKey: new SecretBox(randomBytes(32)) }), /does not open/);
  const truncated = path.join(work, 'truncated.tar.gz');
  writeFileSync(truncated, readFileSync(file).subarray(0, 200));
  await assert.rejects(importTenant(other.db, createReadStream(truncated), { instance: keyB, archiveKey }), /Invalid tenant archive/);
  const notAnArchive = path.join(work, 'not.tar.gz');
  writeFileSync(notAnArchive, 'hello');
  await assert.rejects(importTenant(other.db, createReadStream(notAnArchive), { instance: keyB, archiveKey }), /not a gzip/);
  assert.equal(await countTenants(other.db), tenantsBefore);
});

test('deleting a tenant removes every row of it in every tenant table, and nothing of its neighbour', async () => {
  const doomed = await seedTenant(source, keyA);
  const before = await rowsPerTenant(source, neighbour.tenantId);
  const deleted = await deleteTenant(source, doomed.tenantId);
  assert.ok(deleted.rows.messages === 25 && deleted.rows.members === 1);
  assert.deepEqual(await rowsPerTenant(source, doomed.tenantId), {});
  assert.deepEqual(await rowsPerTenant(source, neighbour.tenantId), before);
  await assert.rejects(deleteTenant(source, doomed.tenantId), /tenant not found/);
});

test('a tenant table added by a later migration travels too, and references to identity ids are rewritten', async () => {
  const laterMigration = `
    CREATE TABLE later_parent (tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE, id bigint GENERATED ALWAYS AS IDENTITY,
      label text NOT NULL, PRIMARY KEY (tenant_id, id));
    SELECT protect_tenant_table('later_parent');
    CREATE TABLE later_child (tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE, id uuid NOT NULL DEFAULT gen_random_uuid(),
      parent_id bigint NOT NULL, PRIMARY KEY (tenant_id, id), FOREIGN KEY (tenant_id, parent_id) REFERENCES later_parent (tenant_id, id));
    SELECT protect_tenant_table('later_child');`;
  const [from, to] = [await openOtherInstance(), await openOtherInstance()];
  try {
    for (const instance of [from, to]) await instance.db.withOwner((tx) => tx.exec(laterMigration));
    const tenantId = randomUUID();
    await from.db.withTenant(tenantId, async (tx) => {
      await createTenant(tx, { name: 'later', trialDays: 14 });
      const { rows } = await tx.query<{ id: string }>(`INSERT INTO later_parent (tenant_id, label) SELECT $1, 'p' || g FROM generate_series(1, 3) g RETURNING id::text`, [tenantId]);
      await tx.query(`INSERT INTO later_child (tenant_id, parent_id) VALUES ($1, $2), ($1, $3)`, [tenantId, rows[1]!.id, rows[2]!.id]);
    });
    // The target's sequence is elsewhere already, so the imported parents get other ids.
    const occupant = randomUUID();
    await to.db.withTenant(occupant, async (tx) => {
      await createTenant(tx, { name: 'occupant', trialDays: 14 });
      await tx.query(`INSERT INTO later_parent (tenant_id, label) SELECT $1, 'x' FROM generate_series(1, 10)`, [occupant]);
    });
    const file = path.join(work, 'later.tar.gz');
    const manifest = await exportTenant(from.db, tenantId, createWriteStream(file), { mode: 'omitted' });
    assert.deepEqual(manifest.tables.filter((t) => t.name.startsWith('later_')).map((t) => [t.name, t.rows]), [['later_parent', 3], ['later_child', 2]]);
    const report = await importTenant(to.db, createReadStream(file), { instance: keyB });
    const children = await to.db.withTenant(report.tenantId, async (tx) =>
      (await tx.query<{ label: string; parent_id: string }>(`SELECT p.label, c.parent_id::text FROM later_child c JOIN later_parent p ON p.id = c.parent_id ORDER BY p.label`)).rows);
    assert.deepEqual(children.map((c) => c.label), ['p2', 'p3'], 'each child still points at its own parent');
    assert.ok(children.every((c) => Number(c.parent_id) > 10), 'parents got fresh ids from the target sequence');
  } finally {
    await from.close();
    await to.close();
  }
});

async function countTenants(db: Database): Promise<number> {
  return db.withOwner(async (tx) => Number((await tx.query<{ n: string }>('SELECT count(*)::text AS n FROM tenants')).rows[0]!.n));
}

/** Rows of `tenantId` in every tenant table, seen by the owner (no RLS): the proof is independent of the code under test. */
async function rowsPerTenant(db: Database, tenantId: string): Promise<Record<string, number>> {
  return db.withOwner(async (tx) => {
    const catalog = await readTenantCatalog(tx);
    const counts: Record<string, number> = {};
    for (const table of [catalog.tenants, ...catalog.tables]) {
      const key = table.name === 'tenants' ? 'id' : 'tenant_id';
      const n = Number((await tx.query<{ n: string }>(`SELECT count(*)::text AS n FROM "${table.name}" WHERE ${key} = $1`, [tenantId])).rows[0]!.n);
      if (n > 0) counts[table.name] = n;
    }
    return counts;
  });
}
