import type { TenantTx } from '../../platform/db/index.js';
import type { Adjustments } from './values.js';

/** The Kovan data a legacy table can become. */
/** In import order: a templates table before settings that also hold a template text. */
export const targetNames = ['templates', 'settings', 'users', 'groups', 'messages'] as const;
export type TargetName = (typeof targetNames)[number];

/**
 * A row as both sides agree to compare it: the imported fields as text (ids in decimal,
 * times as `YYYY-MM-DDTHH:MM:SS.ffffffZ`, booleans as `true`/`false`). The source side is
 * built from the normalised legacy row, the Kovan side by PostgreSQL from the stored row;
 * equal arrays prove the row was stored exactly as read.
 */
export type Canonical = Array<string | null>;

/** What writing one row did: added it, filled in an existing Kovan row, or found it already there. */
export type WriteStatus = 'inserted' | 'updated' | 'unchanged';

export interface Written {
  status: WriteStatus;
  /** The row as stored after the write, in canonical form. */
  stored: Canonical;
  /**
   * The row as read, when the write had to complete it: a value the legacy row lacks is
   * taken from what Kovan already stores (an undated group keeps the date of its first
   * import), so a re-run reads what it stored instead of reporting a difference.
   */
  read?: Canonical;
}

export interface TargetContext {
  tx: TenantTx;
  /** The tenant's bot, for targets that belong to one (groups, messages). */
  botId?: string;
  /** IANA zone of the old server: dates without a zone are read as its wall-clock time. */
  sourceZone: string;
  /** When this import started (canonical form): the date of rows that need one and have none. */
  importedAt: string;
}

/** A Kovan field and the legacy column names it is recognised by (compared without case, `_` or spaces). */
export interface FieldSpec {
  name: string;
  aliases: string[];
  /** A table lacking this column is not imported as this target (the report says so). */
  required?: boolean;
}

/**
 * One kind of Kovan data the importer can fill. Targets are written in the order of
 * {@link targetNames}; each batch's write reports, per row, what it did and how the row is
 * now stored (the statements return it), so verification needs no second pass.
 */
export interface LegacyTarget<Row> {
  name: TargetName;
  /** Where the rows land, for the report. */
  kovanTable: string;
  /** Legacy table names recognised as this target. */
  tableNames: RegExp;
  fields: FieldSpec[];
  /** Rows belong to a bot (groups, messages): without one they cannot be imported yet. */
  needsBot: boolean;
  /**
   * How duplicates are found. `sorted`: the source is read ordered by `orderBy`, so equal
   * keys arrive together and memory stays flat (large tables). `whole-table`: every key of
   * the table is remembered (small tables whose key is only known after normalising).
   */
  dedupe: 'sorted' | 'whole-table';
  /** SQLite ORDER BY expression, given the source column of each resolved field. */
  orderBy?(column: (field: string) => string | undefined): string | undefined;
  /** The Kovan row for one legacy row (values by field name); throws RowRejected to skip it. */
  normalize(values: Record<string, unknown>, adjust: Adjustments, context: TargetContext): Row;
  key(row: Row): string;
  /** Combines two source rows with the same key; without it the later one is skipped. */
  merge?(kept: Row, duplicate: Row): Row;
  /** The skip reason for a duplicate that is not merged, or the note for one that is. */
  duplicateReason: string;
  canonical(row: Row): Canonical;
  /** Writes the rows (unique keys) and reports, in the same order, what happened to each. */
  write(context: TargetContext, rows: Row[]): Promise<Written[]>;
}

/** PostgreSQL's canonical text of a timestamptz column, matching the JS side's format. */
export function sqlTime(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/** A JSON array of the rows with their position: the one parameter a batch statement takes. */
export function batchJson(rows: readonly object[]): string {
  return JSON.stringify(rows.map((row, ord) => ({ ord, ...row })), (_key, value) => (typeof value === 'bigint' ? value.toString() : value));
}

/** One batch for {@link writeKeyed}. */
export interface KeyedBatch {
  /** The rows as read, canonical: their keys say which stored row answers for which. */
  rows: Canonical[];
  /** The rows as the statements' $1 ({@link batchJson}). */
  json: string;
  /** Returns `row`: the stored form of the batch's rows already in Kovan. `$1` is `json`, then its own params. */
  existing: { sql: string; params: unknown[] };
  /** Inserts new rows, updates rows the legacy data adds to, returns `row` for each row it wrote. Parameters as above. */
  upsert: { sql: string; params: unknown[] };
  /** The key of a canonical row (the same function for read and stored rows). */
  keyOf(row: Canonical): string;
}

/**
 * Writes rows that have a unique key in Kovan in two statements, and tells per row what
 * happened: not there before → inserted; written by the upsert → updated; otherwise it was
 * already there as it is. Updating only where the legacy data adds something makes a
 * re-run write nothing at all.
 */
export async function writeKeyed(tx: TenantTx, batch: KeyedBatch): Promise<Written[]> {
  const stored = async ({ sql, params }: { sql: string; params: unknown[] }) =>
    new Map((await tx.query<{ row: Canonical }>(sql, [batch.json, ...params])).rows.map((r) => [batch.keyOf(r.row), r.row]));
  const before = await stored(batch.existing);
  const written = await stored(batch.upsert);
  return batch.rows.map((source) => {
    const key = batch.keyOf(source);
    const row = written.get(key) ?? before.get(key);
    if (!row) throw new Error(`row ${key} was neither written nor found`);
    return { status: !before.has(key) ? 'inserted' : written.has(key) ? 'updated' : 'unchanged', stored: row };
  });
}
