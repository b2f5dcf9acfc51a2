import type { Queryable } from '../platform/db/index.js';
import { quoteIdent } from './catalog.js';

/** Row count and content checksum of one table. */
export interface TableChecksum {
  rows: number;
  /** md5 over the sorted md5s of every row's text form: independent of physical row order. */
  checksum: string;
}

/**
 * Counts and checksums every table of the `public` schema (control plane included), for
 * backup manifests and restore drills. Runs inside the caller's transaction, which must be
 * the schema owner's: `row_security = off` makes PostgreSQL fail loudly instead of silently
 * hiding rows if that role could not see them all. Output settings are pinned so the text
 * form of a row (and so its checksum) does not depend on the session.
 */
export async function databaseChecksums(tx: Queryable): Promise<Record<string, TableChecksum>> {
  for (const setting of [`row_security = off`, `TimeZone = 'UTC'`, `DateStyle = 'ISO, YMD'`, `IntervalStyle = 'postgres'`, `extra_float_digits = 3`, `bytea_output = 'hex'`]) {
    await tx.query(`SET LOCAL ${setting}`);
  }
  const { rows: tables } = await tx.query<{ name: string }>(
    `SELECT relname AS name FROM pg_class
      WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p') AND NOT relispartition ORDER BY relname`);
  const result: Record<string, TableChecksum> = {};
  for (const { name } of tables) {
    const { rows: [row] } = await tx.query<{ rows: string; checksum: string }>(
      `SELECT count(*)::text AS rows, md5(coalesce(string_agg(h, '' ORDER BY h), '')) AS checksum
         FROM (SELECT md5(t::text) AS h FROM ${quoteIdent(name)} t) s`);
    result[name] = { rows: Number(row!.rows), checksum: row!.checksum };
  }
  return result;
}

/** Tables whose count or checksum differ between two sets (missing tables included), with both sides. */
export function compareChecksums(expected: Record<string, TableChecksum>, actual: Record<string, TableChecksum>) {
  const names = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
  return names
    .filter((n) => expected[n]?.rows !== actual[n]?.rows || expected[n]?.checksum !== actual[n]?.checksum)
    .map((name) => ({ name, expected: expected[name], actual: actual[name] }));
}
