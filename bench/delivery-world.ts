/**
 * Shared by the delivery benchmarks: a scratch database, the sandbox in its own process,
 * and the figures every delivery benchmark reports (lost, duplicated, 429s).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { ApiCall } from '../src/sandbox/index.js';
import { PgliteDatabase, PostgresDatabase, migrate, type Database } from '../src/platform/db/index.js';
import { createDatabase } from './bench-database.js';

export interface SandboxBot {
  id: number;
  token: string;
  username: string;
  chatIds: number[];
}

export interface SandboxProcess {
  apiRoot: string;
  bots: SandboxBot[];
  /** Every Bot API call so far (the sandbox's call log, over its control API). */
  calls(): Promise<ApiCall[]>;
  close(): Promise<void>;
}

/** Starts `bench/delivery-sandbox.ts` as a child process with the given world. */
export async function startSandboxProcess(groupsPerBot: number[]): Promise<SandboxProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'delivery-sandbox.ts'), JSON.stringify({ groupsPerBot })], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const world = await new Promise<{ apiRoot: string; bots: SandboxBot[] }>((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (chunk) => {
      buffer += String(chunk);
      const line = buffer.indexOf('\n');
      if (line >= 0) resolve(JSON.parse(buffer.slice(0, line)));
    });
    child.once('exit', (code) => reject(new Error(`sandbox process exited with ${code}`)));
  });
  return {
    ...world,
    async calls() {
      const response = await fetch(`${world.apiRoot}/sandbox/calls?method=sendMessage`);
      return (await response.json()) as ApiCall[];
    },
    async close() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A fresh database: on the DATABASE_URL server (created, dropped on close) or in-memory PGlite. */
export async function openScratchDatabase(poolSize: number): Promise<{ db: Database; kind: 'postgres' | 'pglite'; close(): Promise<void> }> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const db = await PgliteDatabase.open();
    await migrate(db);
    return { db, kind: 'pglite', close: () => db.close() };
  }
  const scratch = await createDatabase(serverUrl);
  const db = new PostgresDatabase({ ownerUrl: scratch.url, poolSize });
  await migrate(db);
  return {
    db, kind: 'postgres',
    async close() {
      await db.close();
      await scratch.drop();
    },
  };
}

/** What arrived, judged against what was sent: each (chat, text) pair must arrive exactly once. */
export function tally(calls: readonly ApiCall[], expected: ReadonlyArray<{ chatId: number; text: string }>): { delivered: number; lost: number; duplicated: number; received429: number } {
  const arrived = new Map<string, number>();
  for (const call of calls) {
    if (!call.ok) continue;
    const key = `${call.params.chat_id}:${call.params.text}`;
    arrived.set(key, (arrived.get(key) ?? 0) + 1);
  }
  const lost = expected.filter((m) => !arrived.has(`${m.chatId}:${m.text}`)).length;
  const duplicated = [...arrived.values()].reduce((sum, n) => sum + n - 1, 0);
  return { delivered: arrived.size, lost, duplicated, received429: calls.filter((c) => c.errorCode === 429).length };
}
