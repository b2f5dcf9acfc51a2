import { createHash } from 'node:crypto';
import type { Canonical } from './target.js';

const mask = (1n << 128n) - 1n;

/**
 * An order-independent checksum of a set of rows: the sum, modulo 2^128, of each row's
 * SHA-256 (first 128 bits) over its canonical form. Source and Kovan sides are summed
 * separately while the import streams, so a million rows need no memory and no sort;
 * equal sums (and counts) mean equal row sets, barring a 2^-128 accident.
 */
export class RowChecksum {
  #sum = 0n;
  rows = 0;

  add(row: Canonical): void {
    const digest = createHash('sha256').update(JSON.stringify(row)).digest();
    this.#sum = (this.#sum + ((digest.readBigUInt64BE(0) << 64n) | digest.readBigUInt64BE(8))) & mask;
    this.rows++;
  }

  toString(): string {
    return this.#sum.toString(16).padStart(32, '0');
  }
}
