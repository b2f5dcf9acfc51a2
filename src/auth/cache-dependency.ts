import { AppError } from '../platform/errors.js';

/**
 * Runs a cache operation auth depends on (login counters, used initData): without the cache
 * Kovan cannot tell a tenth guess from a first or a replay from a first use, so it refuses
 * with a 503 instead of failing open (or answering 500).
 */
export async function fromCache<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch {
    throw new AppError('unavailable', 'Logins are unavailable for a moment (the cache cannot be reached); retry shortly');
  }
}
