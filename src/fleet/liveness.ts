import { randomInt } from 'node:crypto';
import type { Database, ProcessLock } from '../platform/db/index.js';

/** Advisory lock class of worker liveness locks: migration 0011 looks for it in pg_locks. */
export const livenessLockClass = 4943734;

export interface Liveness {
  key: number;
  lock: ProcessLock;
}

/**
 * Takes this process's liveness lock under a fresh key (another process holding a key is
 * tried again with another). While the process lives PostgreSQL keeps the lock; the moment
 * it dies (kill -9, OOM) the lock is gone and peers take its sessions over in about a second
 * instead of waiting out the lease TTL. Undefined on a single-process database (PGlite):
 * there, no peer could take anything over, so the heartbeat and the TTL are all there is.
 */
export async function holdLiveness(db: Database, onLost: (error?: Error) => void): Promise<Liveness | undefined> {
  for (;;) {
    const key = randomInt(1, 2 ** 31 - 1);
    const lock = await db.holdProcessLock(livenessLockClass, key, onLost);
    if (lock === undefined) return undefined;
    if (lock !== 'taken') return { key, lock };
  }
}
