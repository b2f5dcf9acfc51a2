import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { realPostgres } from '../helpers/env.js';
import { buildTypicalLegacyDb } from './legacy-fixtures.js';
import { createScratchPostgres } from './helpers.js';

/**
 * The commands as an operator runs them (`bin/kovan.js`): real processes, real exit codes,
 * output on the right stream. Embedded runs use a private DATA_DIR; PostgreSQL runs use the run's database.
 */
const work = mkdtempSync(path.join(tmpdir(), 'kovan-cli-test-'));
const root = path.resolve(import.meta.dirname, '../..');
const legacy = path.join(work, 'old-bot.db');
const env = {
  PATH: process.env.PATH, NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: path.join(work, 'data'),
  KOVAN_SECRET_KEY: Buffer.alloc(32, 9).toString('base64'), ...(realPostgres ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
};

before(() => buildTypicalLegacyDb(legacy));
after(async () => { await rm(work, { recursive: true, force: true }); });

function kovan(args: string[], extraEnv: Record<string, string | undefined> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, 'bin/kovan.js'), ...args], { env: { ...env, ...extraEnv }, cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => { stdout += c; });
    child.stderr.on('data', (c) => { stderr += c; });
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** The default tenant the first test filled, by id: on the shared PostgreSQL database other files make tenants named "default" too. */
let defaultTenantId = '';

test('import-sqlite: into the default tenant, again without duplicates, into a new tenant; mistakes exit non-zero', async () => {
  const first = await kovan(['import-sqlite', legacy]);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /^Imported .*old-bot\.db into tenant /);
  assert.match(first.stdout, /users\s+tg_users\s+3\s+3\s+0\s+0\s+0\s+0\s+✓/);
  const tenantId = /into tenant ([0-9a-f-]{36})/.exec(first.stdout)![1]!;
  defaultTenantId = tenantId;

  const again = await kovan(['import-sqlite', legacy, '--report', path.join(work, 'report.json')]);
  assert.equal(again.code, 0, again.stderr);
  assert.ok(again.stdout.includes(`into tenant ${tenantId}`), 'the default tenant is reused');
  const report = JSON.parse(readFileSync(path.join(work, 'report.json'), 'utf8'));
  assert.equal(report.tables.find((t: { table: string }) => t.table === 'users').unchanged, 3);

  const created = await kovan(['import-sqlite', legacy, '--new-tenant', `cli${process.pid}`]);
  assert.equal(created.code, 0, created.stderr);
  assert.match(created.stderr, /Password \(shown once\): \S{20}/);
  assert.doesNotMatch(created.stdout, /Password/, 'secrets go to the terminal, not into a redirected report');

  const corrupted = path.join(work, 'corrupted.db');
  const bytes = readFileSync(legacy);
  bytes.fill(0x5a, 4096 + 16, 4096 * 3);
  writeFileSync(corrupted, bytes);
  const bad = await kovan(['import-sqlite', corrupted, '--tenant', tenantId]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^kovan import-sqlite: .*corrupted\.db is corrupted/);
  assert.equal(bad.stdout, '');

  // A new tenant for a file that cannot be imported: neither the tenant nor its owner login is created.
  const newOwner = `cli${process.pid}b`;
  const badNew = await kovan(['import-sqlite', corrupted, '--new-tenant', newOwner]);
  assert.equal(badNew.code, 1);
  assert.doesNotMatch(badNew.stderr, /Created tenant|Password/);
  const goodNew = await kovan(['import-sqlite', legacy, '--new-tenant', newOwner]);
  assert.equal(goodNew.code, 0, `the login is still free: ${goodNew.stderr}`);

  const usage = await kovan(['import-sqlite', legacy, '--tenant', tenantId, '--new-tenant', 'x']);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /use --tenant or --new-tenant, not both/);
  assert.equal((await kovan(['import-sqlite', legacy, '--frobnicate'])).code, 2);
});

// The next tests use the default tenant the first one filled (tests in a file run in order).
test('tenant export, import and delete, with the archive key in a file', async () => {
  const archive = path.join(work, 'default.tar.gz');
  const keyFile = path.join(work, 'archive.key');
  const exported = await kovan(['tenant', 'export', defaultTenantId, '--out', archive, '--archive-key-file', keyFile]);
  assert.equal(exported.code, 0, exported.stderr);
  assert.match(exported.stdout, /tg_users\s+3 rows/);

  const imported = await kovan(['tenant', 'import', archive, '--archive-key-file', keyFile, '--name', 'copy of default']);
  assert.equal(imported.code, 0, imported.stderr);
  const copy = /as the new tenant ([0-9a-f-]{36})/.exec(imported.stdout)![1]!;

  const deleted = await kovan(['tenant', 'delete', 'copy of default', '--yes']);
  assert.equal(deleted.code, 0, deleted.stderr);
  assert.match(deleted.stdout, new RegExp(`Deleted tenant "copy of default" \\(${copy}\\)`));
  assert.equal((await kovan(['tenant', 'frobnicate'])).code, 2);
});

test('backup and restore from the command line', async () => {
  const backupDir = path.join(work, 'backup');
  const backedUp = await kovan(['backup', '--out', backupDir]);
  assert.equal(backedUp.code, 0, backedUp.stderr);
  assert.match(backedUp.stdout, /Backup written to .*backup\n\s+\d+ tables, [\d,]+ rows/);

  if (realPostgres) {
    const target = await createScratchPostgres();
    try {
      const restored = await kovan(['restore', backupDir], { DATABASE_URL: target.url });
      assert.equal(restored.code, 0, restored.stderr);
      assert.match(restored.stdout, /every table's count and checksum matches the backup/);
      assert.equal((await kovan(['restore', backupDir], { DATABASE_URL: target.url })).code, 1, 'not into a database that has data');
    } finally {
      await target.close();
    }
  } else {
    assert.equal((await kovan(['restore', backupDir])).code, 1, 'not over an existing data directory without --replace');
    const restored = await kovan(['restore', backupDir, '--replace']);
    assert.equal(restored.code, 0, restored.stderr);
    assert.match(restored.stdout, /previous data directory was moved to .*pglite\.before-restore-/);
  }
});
