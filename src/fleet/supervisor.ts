import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../platform/log.js';
import { Minute, Second, sleep } from '../platform/time.js';

const kovanBin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/kovan.js');

/** Delay before restarting a worker that crashed `crashes` times in a row: 1 s doubling, at most 30 s. */
export function restartDelay(crashes: number): number {
  return Math.min(30 * Second, Second * 2 ** Math.max(0, crashes - 1));
}

/**
 * The local supervisor of `kovan start` against PostgreSQL: runs `count` worker processes
 * (`kovan worker`) and restarts one that exits with exponential backoff; a worker that
 * stayed up a minute is considered healthy again. In Kubernetes the Deployment does this
 * instead — the worker itself assumes nothing about who started it.
 */
export class Supervisor {
  readonly #children = new Set<ChildProcess>();
  #stopping = false;

  /** `drainTimeoutMs`: how long a worker may drain after SIGTERM before it is killed (SHUTDOWN_TIMEOUT_MS). */
  constructor(readonly count: number, readonly env: NodeJS.ProcessEnv, readonly log: Logger, readonly drainTimeoutMs: number) {}

  start(): void {
    for (let slot = 0; slot < this.count; slot++) void this.#keepRunning(slot);
  }

  async #keepRunning(slot: number): Promise<void> {
    let crashes = 0;
    while (!this.#stopping) {
      const started = Date.now();
      const code = await this.#runOnce(slot);
      if (this.#stopping) return;
      crashes = Date.now() - started > Minute ? 1 : crashes + 1;
      const delay = restartDelay(crashes);
      this.log.warn({ slot, code, crashes, restartInMs: delay }, 'worker exited; restarting');
      await sleep(delay);
    }
  }

  #runOnce(slot: number): Promise<number | null> {
    const child = spawn(process.execPath, [kovanBin, 'worker'], { env: { ...this.env, PORT: '0', KOVAN_WORKER_SLOT: String(slot) }, stdio: 'inherit' });
    this.#children.add(child);
    return new Promise((resolve) => child.on('exit', (code) => { this.#children.delete(child); resolve(code); }));
  }

  /**
   * SIGTERM to every worker (they drain and release their leases), then wait for them. A
   * worker still there after the drain timeout (its loop blocked when the signal came, so
   * it never saw it) gets SIGKILL: its leases then expire instead of being released.
   */
  async stop(): Promise<void> {
    this.#stopping = true;
    await Promise.all([...this.#children].map((child) => new Promise((resolve) => {
      const hardKill = setTimeout(() => child.kill('SIGKILL'), this.drainTimeoutMs + Second);
      child.once('exit', () => { clearTimeout(hardKill); resolve(undefined); });
      child.kill('SIGTERM');
    })));
  }
}
