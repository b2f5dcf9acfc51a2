/**
 * `npm run bench -- import [--rows N] [--batch N]`: imports a legacy `users` table of a
 * million rows (default) into a fresh tenant and reports rows per second. Embedded PGlite in
 * a temporary directory, or — with DATABASE_URL — a fresh PostgreSQL database created and
 * dropped by the benchmark. The last line is JSON.
 */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { importLegacySqlite } from '../src/portability/legacy-import/import-sqlite.js';
import { buildLegacyUsers } from './legacy-fixture.js';
import { openBenchDatabase } from './bench-database.js';

const { values } = parseArgs({ args: process.argv.slice(2).filter((a) => a !== 'import'), options: { rows: { type: 'string', default: '1000000' }, batch: { type: 'string', default: '2000' } } });
const rows = Number(values.rows);
const batchRows = Number(values.batch);
const work = mkdtempSync(path.join(tmpdir(), 'kovan-bench-import-'));
try {
  const file = path.join(work, 'legacy.db');
  let started = performance.now();
  buildLegacyUsers(file, rows);
  console.log(`legacy fixture: ${rows.toLocaleString('en-US')} users in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const bench = await openBenchDatabase(work);
  try {
    started = performance.now();
    const report = await importLegacySqlite(bench.db, { file, tenant: { id: randomUUID(), createIfMissing: { name: 'bench', trialDays: 14 } }, batchRows });
    const seconds = (performance.now() - started) / 1000;
    const users = report.tables[0]!;
    console.log(`imported ${users.imported.toLocaleString('en-US')} of ${users.read.toLocaleString('en-US')} rows into ${bench.kind} in ${seconds.toFixed(1)} s; checksums ${users.checksum.match ? 'match' : 'DIFFER'}`);
    console.log(JSON.stringify({
      bench: 'import', database: bench.kind, rows: users.read, imported: users.imported, batch_rows: batchRows,
      seconds: Number(seconds.toFixed(2)), rows_per_second: Math.round(users.read / seconds), checksums_match: users.checksum.match,
    }));
  } finally {
    await bench.close();
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
