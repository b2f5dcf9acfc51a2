import { createHash } from 'node:crypto';
import type { Cache } from '../platform/cache/index.js';
import { AppError } from '../platform/errors.js';
import { Day, Minute } from '../platform/time.js';
import { fromCache } from './cache-dependency.js';

interface Budget {
  max: number;
  windowMs: number;
}

/**
 * How many password attempts a login gets (docs/AUTH.md, "Brute force"). Counted per login
 * *name* as typed, known or not, so an unknown name is throttled exactly like an account
 * and the answers cannot tell them apart.
 */
export const loginBudgets = {
  /** From one client address: a guesser at one address gets 5 tries per quarter hour. */
  perSource: { max: 5, windowMs: 15 * Minute },
  /**
   * From everywhere without a device cookie, together: the ceiling a botnet meets
   * (NIST SP 800-63B §5.2.2 allows at most 100 consecutive failures). A success resets it.
   */
  perLogin: { max: 100, windowMs: Day },
  /** From a device this login succeeded on before: the owner's own budget, untouched by attackers. */
  perDevice: { max: 10, windowMs: 15 * Minute },
} satisfies Record<string, Budget>;

/** Where an attempt comes from: a device known to the login (its signed cookie), or only a client address. */
export type AttemptSource = { deviceId: string } | { ip: string };

/** A reserved attempt: call `succeeded` after a correct password to give the budgets back. */
export interface ReservedAttempt {
  succeeded(): Promise<void>;
}

/**
 * Reserves one attempt at `login` BEFORE the password is checked, with atomic counters in
 * the shared cache: 20 parallel guesses get exactly the budget's number of checks, on any
 * number of API replicas. A spent budget is a 429 `account_locked` with `Retry-After`.
 * The attacker's own address (or the global ceiling) is what runs out, never the owner's
 * device, so guessing cannot be turned into locking the owner out.
 */
export async function reserveLoginAttempt(cache: Cache, login: string, source: AttemptSource): Promise<ReservedAttempt> {
  const name = createHash('sha256').update(login.trim().toLowerCase()).digest('base64url'); // no e-mail addresses in the cache
  const keys = 'deviceId' in source
    ? [[`login:device:${name}:${source.deviceId}`, loginBudgets.perDevice] as const]
    : [[`login:source:${name}:${source.ip}`, loginBudgets.perSource] as const, [`login:all:${name}`, loginBudgets.perLogin] as const];
  for (const [key, budget] of keys) {
    // One at a time: an attempt refused by its address's budget does not spend the global one.
    const { count, resetMs } = await fromCache(() => cache.increment(key, budget.windowMs));
    if (count > budget.max) {
      const retryAfterSeconds = Math.max(1, Math.ceil(resetMs / 1000));
      throw new AppError('account_locked', `Too many failed logins; try again in ${retryAfterSeconds} s, from a device you logged in with before, or reset your password by e-mail`, { retryAfterSeconds });
    }
  }
  return {
    async succeeded() {
      await Promise.all(keys.map(([key]) => cache.delete(key).catch(() => undefined)));
    },
  };
}
