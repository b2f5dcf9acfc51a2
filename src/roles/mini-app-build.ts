/**
 * The Mini App is served from `web/dist`. In a source checkout (`npm install && npm start`)
 * nothing has built it yet, and after a `git pull` the build may be older than its sources:
 * the roles that serve it build it first, so a newcomer never meets a "not built" page and
 * nobody is served yesterday's screens. A production image ships `web/dist` without
 * `web/src`, so there is nothing to compare and nothing is built.
 *
 * Several processes may start at once (API replicas, test files in parallel): one builds
 * under a lock directory while the others wait for it.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Second, sleep } from '../platform/time.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const web = path.join(root, 'web');
/** Where the API serves the Mini App from. */
export const miniAppDist = path.join(web, 'dist');
const builtIndex = path.join(miniAppDist, 'index.html');
const buildLock = path.join(web, '.build-lock');
/** A build takes ~10-30 s on a small machine; a lock older than this belongs to a build that died. */
const staleLockMs = 5 * 60 * Second;

function newestFile(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((newest, entry) => {
    const full = path.join(dir, entry.name);
    return Math.max(newest, entry.isDirectory() ? newestFile(full) : statSync(full).mtimeMs);
  }, 0);
}

export type MiniAppState = 'current' | 'missing' | 'stale' | 'no-sources';

/** Whether `web/dist` is there and at least as new as every file it is built from. */
export function miniAppState(): MiniAppState {
  const sources = path.join(web, 'src');
  if (!existsSync(sources)) return existsSync(builtIndex) ? 'current' : 'no-sources';
  if (!existsSync(builtIndex)) return 'missing';
  const newestSource = Math.max(newestFile(sources), ...['index.html', 'vite.config.ts'].map((file) => statSync(path.join(web, file)).mtimeMs));
  return statSync(builtIndex).mtimeMs >= newestSource ? 'current' : 'stale';
}

function runBuild(): Promise<void> {
  // The same build `npm run build` makes. NODE_ENV=production: a test runner's NODE_ENV=test would pull in debug code.
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/build-web.ts')], {
    cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, NODE_ENV: 'production' },
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the Mini App build (scripts/build-web.ts) exited with ${code}`))));
  });
}

function takeLock(): boolean {
  try {
    mkdirSync(buildLock);
    return true;
  } catch {
    // A builder killed mid-build leaves its lock behind; do not wait for it forever.
    const lock = statSync(buildLock, { throwIfNoEntry: false });
    if (lock && Date.now() - lock.mtimeMs > staleLockMs) rmdirSync(buildLock);
    return false;
  }
}

/**
 * Builds the Mini App when it is missing or older than its sources (without holding the
 * event loop: the build is a child process). Resolves once `web/dist` is current.
 */
export async function ensureMiniAppBuilt(print: (line: string) => void = () => {}): Promise<void> {
  for (let announced = false; ['missing', 'stale'].includes(miniAppState());) {
    if (!takeLock()) {
      await sleep(Second / 2);
      continue;
    }
    try {
      if (!announced) print(`Building the Mini App (${miniAppState() === 'missing' ? 'first run' : 'its sources changed'})…`);
      announced = true;
      await runBuild();
    } finally {
      rmdirSync(buildLock);
    }
  }
}
