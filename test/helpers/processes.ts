import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Config } from '../../src/config.js';

const root = path.resolve(import.meta.dirname, '../..');

export interface WorkerProcess {
  child: ChildProcess;
  output: string[];
  /** SIGTERM and wait (graceful drain). */
  stop(): Promise<void>;
  /** SIGKILL: a crash, no cleanup. */
  kill(): Promise<void>;
  pause(): void;
  resume(): void;
}

/** Starts a real `kovan worker` process against the test run's database, cache and sandbox. */
export function spawnWorker(config: Config, env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, [path.join(root, 'bin/kovan.js'), 'worker'], {
    cwd: root,
    env: {
      PATH: process.env.PATH, NODE_ENV: 'test', LOG_LEVEL: 'warn', PORT: '0', HOST: '127.0.0.1',
      DATABASE_URL: config.DATABASE_URL ?? '', REDIS_URL: config.REDIS_URL ?? '', REDIS_PREFIX: config.REDIS_PREFIX,
      KOVAN_SECRET_KEY: config.secretKey.toString('base64'), DATA_DIR: config.DATA_DIR, ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout!.on('data', (d) => output.push(String(d)));
  child.stderr!.on('data', (d) => output.push(String(d)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child, output,
    async stop() { if (child.exitCode === null) child.kill('SIGTERM'); await exited; },
    async kill() { if (child.exitCode === null) child.kill('SIGKILL'); await exited; },
    pause() { child.kill('SIGSTOP'); },
    resume() { child.kill('SIGCONT'); },
  };
}

/** Polls `check` until it returns a value (not undefined, null or false) or the time runs out. */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
