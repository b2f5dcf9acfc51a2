/**
 * `npm run bench -- restore [--rows N]`: the restore drill, timed. Seeds a tenant with N
 * audience rows and N messages (default 250 000 each), backs the whole database up, destroys
 * it (PGlite: deletes the data directory; PostgreSQL: restores into a second, empty
 * database), restores, and verifies every table's count and checksum. The last line is JSON.
 */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { createTenant } from '../src/tenancy/index.js';
import { backupDatabase } from '../src/portability/backup.js';
import { restoreDatabase } from '../src/portability/restore.js';
import { createDatabase, openBenchDatabase } from './bench-database.js';

const { values } = parseArgs({ args: process.argv.slice(2).filter((a) => a !== 'restore'), options: { rows: { type: 'string', default: '250000' } } });
const rows = Number(values.rows);
const work = mkdtempSync(path.join(tmpdir(), 'kovan-bench-restore-'));
const seconds = (since: number) => Number(((performance.now() - since) / 1000).toFixed(2));
try {
  const bench = await openBenchDatabase(work);
  let restoreTarget: Awaited<ReturnType<typeof createDatabase>> | undefined;
  try {
    const tenantId = randomUUID();
    await bench.db.withTenant(tenantId, async (tx) => {
      await createTenant(tx, { name: 'restore bench', trialDays: 14 });
      await tx.query(`INSERT INTO tg_users (tenant_id, user_id, username, first_name, first_seen_at, last_seen_at)
        SELECT $1, 5000000000 + g, 'user_' || g, 'Ayşe 🐝 ' || g, now() - g * interval '1 minute', now() FROM generate_series(1, $2) g`, [tenantId, rows]);
      await tx.query(`INSERT INTO messages (tenant_id, bot_id, chat_id, chat_type, user_id, direction, kind, text, status, at)
        SELECT $1, $3, -1001234567890, 'supergroup', 5000000000 + g, 'in', 'text', 'mesaj ' || g || ' مرحبا', 'received', now() - g * interval '1 second'
          FROM generate_series(1, $2) g`, [tenantId, rows, randomUUID()]);
    });
    if (bench.kind === 'pglite') await bench.db.close(); // the backup opens the data directory itself

    const backupDir = path.join(work, 'backup');
    let started = performance.now();
    const manifest = await backupDatabase(bench.location, backupDir);
    const backupSeconds = seconds(started);

    let target = bench.location;
    if (target.kind === 'pglite') {
      await rm(target.dataDir, { recursive: true });
    } else {
      restoreTarget = await createDatabase(process.env.DATABASE_URL!);
      target = { kind: 'postgres', ownerUrl: restoreTarget.url };
    }
    started = performance.now();
    const report = await restoreDatabase(target, backupDir);
    const restoreSeconds = seconds(started);
    const total = Object.values(report.tables).reduce((sum, t) => sum + t.rows, 0);
    console.log(`backed up and restored ${total.toLocaleString('en-US')} rows (${bench.kind}): backup ${backupSeconds} s, restore + verification ${restoreSeconds} s, ${report.mismatches.length} tables differ`);
    console.log(JSON.stringify({
      bench: 'restore', database: bench.kind, rows: total, backup_seconds: backupSeconds, restore_seconds: restoreSeconds,
      artifact_bytes: manifest.artifact.bytes, verified: report.mismatches.length === 0,
    }));
  } finally {
    if (bench.kind === 'postgres') await bench.close();
    await restoreTarget?.drop();
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
