import { after, before } from 'node:test';
import type { Database } from '../../src/platform/db/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { openTestDatabase } from '../helpers/env.js';
import { timeScale } from './fixtures.js';

/**
 * A test file's database and a sandbox on the scaled clock: opened before its tests (and
 * handed to `use`), closed after them. (Apart from fixtures.ts, which benchmarks import.)
 */
export function withDatabaseAndSandbox(use: (db: Database, sandbox: Sandbox) => void): void {
  let db: Database | undefined;
  let sandbox: Sandbox | undefined;
  before(async () => {
    db = await openTestDatabase();
    sandbox = await startSandbox({ timeScale });
    use(db, sandbox);
  });
  after(async () => {
    await sandbox?.close();
    await db?.close();
  });
}
