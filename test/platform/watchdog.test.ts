import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';

/**
 * A stuck process ends: real child processes whose event loop is blocked (or busy) are
 * killed by the watchdog thread, on a stall or past the shutdown deadline after SIGTERM.
 * Bounds are generous (a loaded CI machine); without the watchdog these children never end.
 */
const fixture = path.join(import.meta.dirname, 'stuck-process.ts');

interface Ended { code: number | null; signal: NodeJS.Signals | null; stderr: string; afterReadyMs: number; afterSignalMs?: number }

/** Far above the 500 ms limits (a loaded machine), far below the 30 s after which the test kills the child itself. */
const endsWithinMs = 12_000;

async function run(mode: string, options: { sigterm?: boolean } = {}): Promise<Ended> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += String(d); });
  const ended = new Promise<Pick<Ended, 'code' | 'signal'>>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const giveUp = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await Promise.race([ended, new Promise<void>((resolve) => child.stdout.on('data', (d) => { if (String(d).includes('ready')) resolve(); }))]);
  const readyAt = Date.now();
  let signalledAt: number | undefined;
  if (options.sigterm) { signalledAt = Date.now(); child.kill('SIGTERM'); }
  const result = await ended;
  clearTimeout(giveUp);
  return { ...result, stderr, afterReadyMs: Date.now() - readyAt, afterSignalMs: signalledAt === undefined ? undefined : Date.now() - signalledAt };
}

test('an event loop blocked past EVENT_LOOP_STALL_MS: the process is killed (to be restarted)', async () => {
  const ended = await run('stall');
  assert.equal(ended.signal, 'SIGKILL', JSON.stringify(ended));
  assert.match(ended.stderr, /event loop blocked longer than EVENT_LOOP_STALL_MS/);
  assert.ok(ended.afterReadyMs < endsWithinMs, `ended ${ended.afterReadyMs} ms after it blocked`);
  assert.doesNotMatch(ended.stderr, /shutdown did not finish/);
});

test('SIGTERM, then a drain that blocks the loop: hard exit at the shutdown deadline', async () => {
  const ended = await run('drain-blocks', { sigterm: true });
  assert.equal(ended.signal, 'SIGKILL', JSON.stringify(ended));
  assert.match(ended.stderr, /shutdown did not finish within SHUTDOWN_TIMEOUT_MS/);
  assert.ok(ended.afterSignalMs! >= 400, `ended ${ended.afterSignalMs} ms after SIGTERM, before the deadline`);
  assert.ok(ended.afterSignalMs! < endsWithinMs, `ended ${ended.afterSignalMs} ms after SIGTERM`);
});

test('SIGTERM under load with a drain that never finishes: hard exit at the shutdown deadline', async () => {
  const ended = await run('drain-busy', { sigterm: true });
  assert.equal(ended.signal, 'SIGKILL', JSON.stringify(ended));
  assert.match(ended.stderr, /shutdown did not finish/);
  assert.ok(ended.afterSignalMs! < endsWithinMs, `ended ${ended.afterSignalMs} ms after SIGTERM`);
});

test('SIGTERM with a drain that finishes: a clean exit 0, no watchdog', async () => {
  const ended = await run('drain-ok', { sigterm: true });
  assert.equal(ended.code, 0, JSON.stringify(ended));
  assert.doesNotMatch(ended.stderr, /"level":"fatal"/);
});
