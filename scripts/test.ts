/**
 * `npm test`: runs every `*.test.ts` under test/ with node's test runner.
 *
 * - With nothing configured: embedded PGlite (one in-memory database per test file) and the
 *   in-memory cache. Needs nothing but Node.
 * - With DATABASE_URL: creates a fresh database for this run, points the tests at it, and
 *   drops it afterwards (also when tests fail). With REDIS_URL: a key prefix of this run.
 *
 * Extra arguments are test files or folders to run instead of all of them.
 */
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';

const root = path.resolve(import.meta.dirname, '..');

function testFiles(target: string): string[] {
  const full = path.resolve(root, target);
  if (statSync(full).isFile()) return [full];
  return readdirSync(full, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? testFiles(path.join(full, entry.name)) : entry.name.endsWith('.test.ts') ? [path.join(full, entry.name)] : []);
}

async function withRunDatabase<T>(ownerUrl: string, fn: (url: string) => Promise<T>): Promise<T> {
  const name = `kovan_test_${Date.now()}_${process.pid}`;
  const admin = new pg.Client({ connectionString: ownerUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(ownerUrl);
  url.pathname = `/${name}`;
  console.log(`# real PostgreSQL: fresh database ${name}`);
  try {
    return await fn(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch((e) => console.error(`# could not drop ${name}: ${e.message}`));
    await admin.end();
  }
}

function runTests(files: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const concurrency = process.env.TEST_CONCURRENCY ?? '2';
  // Only a hang detector, not a speed limit: on Node 20 it bounds each file as a whole, and a
  // file of real processes (test/portability/cli.test.ts runs a dozen `kovan` commands, each
  // loading the TypeScript sources) takes minutes on a busy 2-core machine. Tests wait on
  // conditions; this only ends a file that will never finish.
  const timeoutMs = process.env.TEST_TIMEOUT_MS ?? '900000';
  const args = ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, `--test-timeout=${timeoutMs}`, ...files];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: 'inherit', env, cwd: root });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const targets = process.argv.slice(2);
const files = (targets.length > 0 ? targets : ['test']).flatMap(testFiles).sort();
const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test', KOVAN_TEST_RUN: `${Date.now()}` };
if (env.REDIS_URL) env.REDIS_PREFIX = `kovan-test-${env.KOVAN_TEST_RUN}:`;
console.log(`# ${files.length} test files; database: ${env.DATABASE_URL ? 'PostgreSQL' : 'PGlite (embedded)'}; cache: ${env.REDIS_URL ? 'Redis' : 'in-memory'}`);

const code = env.DATABASE_URL
  ? await withRunDatabase(env.DATABASE_URL, (url) => runTests(files, { ...env, DATABASE_URL: url, KOVAN_TEST_OWNER_URL: url }))
  : await runTests(files, env);
process.exit(code);
