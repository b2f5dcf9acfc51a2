import { closeSync, openSync, readSync, statSync } from 'node:fs';
import Sqlite from 'better-sqlite3';
import { AppError } from '../../platform/errors.js';
import { Second } from '../../platform/time.js';

export interface SourceColumn {
  name: string;
  /** As declared in CREATE TABLE; SQLite does not enforce it, so values are checked one by one. */
  declaredType: string;
}

export interface SourceTable {
  name: string;
  columns: SourceColumn[];
  rows: number;
  /** Tables WITHOUT ROWID have no row number to cite in the report; their rows are counted instead. */
  hasRowid: boolean;
}

/** One legacy row: its rowid (or position) and the values of the requested columns, in order. */
export interface SourceRow {
  row: number;
  values: unknown[];
}

const header = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * The old bot's SQLite file, opened read-only and checked before anything is imported:
 * it must exist, be an SQLite 3 database, pass `PRAGMA quick_check`, and not be locked
 * by a writer. A read transaction is held until {@link close}, so every table is read from
 * one consistent state even if the old bot is still running. Integers come back as
 * bigint: Telegram ids do not fit 2^31 and may exceed 2^53.
 */
export class LegacySource {
  private constructor(
    readonly file: string,
    private readonly db: Sqlite.Database,
    /** Tables that can be read. */
    readonly tables: SourceTable[],
    /** Schema objects that hold no importable rows (views, virtual tables), with why. */
    readonly unreadable: Array<{ name: string; reason: string }>,
  ) {}

  static open(file: string, options: { busyTimeoutMs?: number } = {}): LegacySource {
    checkFile(file);
    let db: Sqlite.Database | undefined;
    try {
      db = new Sqlite(file, { readonly: true, fileMustExist: true, timeout: options.busyTimeoutMs ?? 5 * Second });
      db.defaultSafeIntegers(true);
      db.exec('BEGIN');
      const problems = db.prepare('PRAGMA quick_check').pluck().all() as string[];
      if (problems.length !== 1 || problems[0] !== 'ok') {
        throw new AppError('validation_failed', `${file} is corrupted: ${problems.slice(0, 3).join('; ')}. Nothing was imported.`);
      }
      const { tables, unreadable } = readSchema(db);
      return new LegacySource(file, db, tables, unreadable);
    } catch (error) {
      db?.close();
      throw describeSqliteError(file, error);
    }
  }

  /**
   * The rows of `table`, as the listed columns, ordered by `orderBy` (then rowid) when given.
   * Reading errors (corruption found late) are thrown as clear AppErrors.
   */
  *rows(table: SourceTable, columns: string[], orderBy?: string): Generator<SourceRow> {
    const order = [orderBy, table.hasRowid ? '_rowid_' : undefined].filter(Boolean).join(', ');
    const select = [table.hasRowid ? '_rowid_' : '0', ...columns.map(quote)].join(', ');
    let position = 0;
    try {
      const statement = this.db.prepare(`SELECT ${select} FROM ${quote(table.name)}${order ? ` ORDER BY ${order}` : ''}`).raw(true);
      for (const [rowid, ...values] of statement.iterate() as Iterable<unknown[]>) {
        position++;
        yield { row: table.hasRowid ? Number(rowid) : position, values };
      }
    } catch (error) {
      throw describeSqliteError(this.file, error);
    }
  }

  close(): void {
    if (this.db.open) this.db.close(); // ends the read transaction too
  }
}

function checkFile(file: string): void {
  let size: number;
  try {
    const stats = statSync(file);
    if (!stats.isFile()) throw new AppError('validation_failed', `${file} is not a file`);
    size = stats.size;
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('validation_failed', `Cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  const start = Buffer.alloc(header.length);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, start, 0, header.length, 0);
  } finally {
    closeSync(fd);
  }
  if (size < 512 || !start.equals(header)) throw new AppError('validation_failed', `${file} is not an SQLite 3 database. Nothing was imported.`);
}

function readSchema(db: Sqlite.Database) {
  const objects = db.prepare(`SELECT type, name, sql FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY name`)
    .all() as Array<{ type: string; name: string; sql: string | null }>;
  const tables: SourceTable[] = [];
  const unreadable: Array<{ name: string; reason: string }> = [];
  for (const object of objects) {
    if (object.type === 'view') {
      unreadable.push({ name: object.name, reason: 'a view: its rows come from other tables' });
    } else if (/^\s*CREATE\s+VIRTUAL\s+TABLE/i.test(object.sql ?? '')) {
      unreadable.push({ name: object.name, reason: 'a virtual table (a search index or similar): its data lives in other tables' });
    } else {
      const columns = (db.prepare(`PRAGMA table_info(${quote(object.name)})`).all() as Array<{ name: string; type: string }>)
        .map((c) => ({ name: c.name, declaredType: c.type }));
      const rows = Number(db.prepare(`SELECT count(*) FROM ${quote(object.name)}`).pluck().get());
      tables.push({ name: object.name, columns, rows, hasRowid: !/WITHOUT\s+ROWID\s*$/i.test(object.sql ?? '') });
    }
  }
  return { tables, unreadable };
}

/** SQLite quotes identifiers in double quotes, doubling any inside. */
export function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** What an SQLite failure means for the person running the import. */
function describeSqliteError(file: string, error: unknown): unknown {
  if (error instanceof AppError) return error;
  const code = (error as { code?: string }).code ?? '';
  const message = (error as Error).message;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new AppError('conflict', `${file} is locked by another program (is the old bot still running?). Stop it, or copy the file and import the copy. Nothing was imported.`);
  }
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return new AppError('validation_failed', `${file} is corrupted (${message}). Nothing was imported.`);
  }
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_READONLY')) {
    return new AppError('validation_failed', `${file} cannot be read (${message}). If the old bot crashed while writing, open the file once with sqlite3 to recover it. Nothing was imported.`);
  }
  return error;
}
