import { Hour, Minute } from '../platform/time.js';

/** Failed logins in a row that are free; from the next one on the account locks. */
export const freeFailures = 4;

/**
 * How long an account locks after `failures` consecutive failed logins: 1 minute at the
 * 5th, doubling with each further failure, capped at one hour. Exponential so guessing
 * stays hopeless while a mistyping owner waits a minute at most.
 */
export function lockoutFor(failures: number): number {
  if (failures <= freeFailures) return 0;
  return Math.min(Hour, Minute * 2 ** (failures - freeFailures - 1));
}
