import type { TargetName } from './target.js';
import { RowChecksum } from './row-checksum.js';

/** What happened to one legacy table. `read = imported + updated + unchanged + kept + Σ skipped`. */
export interface TableImportReport {
  table: string;
  target: TargetName;
  kovanTable: string;
  /** Kovan field → legacy column it was read from. */
  columns: Record<string, string>;
  /** Legacy columns no Kovan field takes. */
  ignoredColumns: string[];
  read: number;
  /** New rows in Kovan. */
  imported: number;
  /** Rows Kovan already had, completed from the legacy data (empty fields filled). */
  updated: number;
  /** Rows Kovan already had exactly like this (an earlier run). */
  unchanged: number;
  /** Rows Kovan already had (or another legacy table gave earlier) with different values, which were kept. */
  kept: number;
  skipped: Array<{ reason: string; rows: number; examples: number[] }>;
  /** Values normalisation had to change, per field. */
  adjustments: Array<{ field: string; change: string; rows: number }>;
  /**
   * Order-independent checksums over every row that was not skipped: as read from the
   * legacy file (after normalisation) and as stored in Kovan. They match unless rows were
   * `kept`.
   */
  checksum: { rows: number; source: string; kovan: string; match: boolean };
}

export interface LegacyImportReport {
  file: string;
  tenantId: string;
  dryRun: boolean;
  startedAt: string;
  seconds: number;
  tables: TableImportReport[];
  /** Tables (and views) that were not imported at all, with the reason. */
  notImported: Array<{ table: string; reason: string }>;
}

const MaxExamples = 5;

/** Counts one table's outcome while the import streams. */
export class TableTally {
  read = 0;
  imported = 0;
  updated = 0;
  unchanged = 0;
  kept = 0;
  readonly source = new RowChecksum();
  readonly kovan = new RowChecksum();
  readonly #skipped = new Map<string, { rows: number; examples: number[] }>();
  readonly #adjustments = new Map<string, number>();

  skip(reason: string, row: number): void {
    const entry = this.#skipped.get(reason) ?? { rows: 0, examples: [] };
    entry.rows++;
    if (entry.examples.length < MaxExamples) entry.examples.push(row);
    this.#skipped.set(reason, entry);
  }

  adjust(field: string, change: string): void {
    const key = `${field}\u0000${change}`;
    this.#adjustments.set(key, (this.#adjustments.get(key) ?? 0) + 1);
  }

  report(base: Pick<TableImportReport, 'table' | 'target' | 'kovanTable' | 'columns' | 'ignoredColumns'>): TableImportReport {
    return {
      ...base,
      read: this.read,
      imported: this.imported,
      updated: this.updated,
      unchanged: this.unchanged,
      kept: this.kept,
      skipped: [...this.#skipped].map(([reason, e]) => ({ reason, ...e })).sort((a, b) => b.rows - a.rows),
      adjustments: [...this.#adjustments].map(([key, rows]) => {
        const [field, change] = key.split('\u0000') as [string, string];
        return { field, change, rows };
      }),
      checksum: { rows: this.source.rows, source: this.source.toString(), kovan: this.kovan.toString(), match: this.source.toString() === this.kovan.toString() },
    };
  }
}

/** The report as a person reads it at the end of `kovan import-sqlite`. */
export function renderReport(report: LegacyImportReport): string {
  const lines: string[] = [];
  const n = (x: number) => x.toLocaleString('en-US');
  lines.push(report.dryRun
    ? `Dry run: ${report.file} into tenant ${report.tenantId}, ${report.seconds.toFixed(1)} s — NOTHING WAS WRITTEN`
    : `Imported ${report.file} into tenant ${report.tenantId} in ${report.seconds.toFixed(1)} s`, '');
  const header = ['legacy table', 'Kovan', 'read', 'imported', 'updated', 'unchanged', 'kept', 'skipped', 'checksum (source = Kovan)'];
  const rows = report.tables.map((t) => [
    t.table, t.kovanTable, n(t.read), n(t.imported), n(t.updated), n(t.unchanged), n(t.kept), n(t.skipped.reduce((s, x) => s + x.rows, 0)),
    t.checksum.match ? `✓ ${t.checksum.source.slice(0, 12)}` : `✗ ${t.checksum.source.slice(0, 12)} ≠ ${t.checksum.kovan.slice(0, 12)}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const r of [header, ...rows]) lines.push(r.map((cell, i) => (i >= 2 && i <= 7 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd());

  const details = report.tables.flatMap((t) => [
    ...t.skipped.map((s) => `  ${t.table}: ${n(s.rows)} skipped — ${s.reason} (rows ${s.examples.join(', ')}${s.rows > s.examples.length ? ', …' : ''})`),
    ...(t.kept > 0 ? [`  ${t.table}: ${n(t.kept)} already in Kovan (or imported earlier in this run from another table) with other values, which were kept; the checksums differ by these rows`] : []),
    ...t.adjustments.map((a) => `  ${t.table}.${a.field}: ${n(a.rows)} × ${a.change}`),
    ...(t.ignoredColumns.length > 0 ? [`  ${t.table}: columns not imported (no Kovan field): ${t.ignoredColumns.join(', ')}`] : []),
  ]);
  if (details.length > 0) lines.push('', 'Details:', ...details);
  if (report.notImported.length > 0) {
    lines.push('', 'Not imported:', ...report.notImported.map((x) => `  ${x.table}: ${x.reason}`));
  }
  return lines.join('\n');
}
