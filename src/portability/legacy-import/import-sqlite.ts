import type { Database, TenantTx } from '../../platform/db/index.js';
import { AppError } from '../../platform/errors.js';
import { createOwner } from '../../auth/index.js';
import { createTenant } from '../../tenancy/index.js';
import { noProgress, type Progress } from '../progress.js';
import { isTimeZone } from '../../platform/time.js';
import { planImport, type PlanStep } from './detect.js';
import { groupsTarget } from './groups.js';
import type { LegacyMapping } from './mapping.js';
import { messagesTarget } from './messages.js';
import { TableTally, type LegacyImportReport, type TableImportReport } from './report.js';
import { settingsTarget } from './settings.js';
import { LegacySource, quote, type SourceRow } from './source.js';
import { targetNames, type LegacyTarget, type TargetContext, type Written } from './target.js';
import { templatesTarget } from './templates.js';
import { usersTarget } from './users.js';
import { RowRejected } from './values.js';

export interface LegacyImportOptions {
  /** The old bot's SQLite database. */
  file: string;
  /**
   * The tenant that receives everything. With `createIfMissing` it is created, in the same
   * transaction as the import, when it does not exist yet (the default tenant), with its
   * owner login if one is given (`--new-tenant`): an import that fails creates neither.
   */
  tenant: { id: string; createIfMissing?: { name: string; trialDays: number; owner?: { username: string; email: string; passwordHash: string } } };
  mapping?: LegacyMapping;
  /** IANA zone the old server wrote zone-less dates in. Default UTC. */
  sourceTimeZone?: string;
  /** The bot that groups and history belong to; needed only when the tenant has several. */
  botId?: string;
  /** Run everything, report, and roll back. */
  dryRun?: boolean;
  progress?: Progress;
  /** Rows per statement. */
  batchRows?: number;
  /** How long to wait for the old bot to release a lock on the file. */
  busyTimeoutMs?: number;
}

const DefaultBatchRows = 2000;

/** Thrown to roll the transaction back after a dry run has produced its report. */
class DryRunRollback extends Error {
  constructor(readonly outcome: Pick<LegacyImportReport, 'tables' | 'notImported'>) {
    super('dry run');
  }
}

/**
 * Imports the old bot's SQLite database into one tenant, in ONE transaction scoped to
 * that tenant: a failure anywhere (a corrupted page found late, a bug) leaves nothing
 * written. The file is checked (header, integrity, locks) and every table is planned
 * before the transaction starts. Every row is normalised, de-duplicated and written by
 * statements that return it as stored; the report compares checksums of what was read with
 * what is stored, and re-runs add only what is missing.
 */
export async function importLegacySqlite(db: Database, options: LegacyImportOptions): Promise<LegacyImportReport> {
  const sourceZone = options.sourceTimeZone ?? 'UTC';
  if (!isTimeZone(sourceZone)) throw new AppError('validation_failed', `"${sourceZone}" is not an IANA time zone (e.g. Europe/Istanbul)`);
  const started = new Date();
  const source = LegacySource.open(options.file, { busyTimeoutMs: options.busyTimeoutMs });
  try {
    const targets: Array<LegacyTarget<unknown>> = [templatesTarget, settingsTarget(options.mapping?.settings), usersTarget, groupsTarget, messagesTarget] as Array<LegacyTarget<never>>;
    const plan = planImport(source.tables, targets, options.mapping);
    const steps = [...plan.steps].sort((a, b) => targetNames.indexOf(a.target.name) - targetNames.indexOf(b.target.name));
    let outcome: Pick<LegacyImportReport, 'tables' | 'notImported'>;
    try {
      outcome = await db.withTenant(options.tenant.id, async (tx) => {
        await ensureTenant(tx, options.tenant);
        const context: TargetContext = { tx, botId: await findBot(tx, options.botId), sourceZone, importedAt: `${started.toISOString().slice(0, 19)}.000000Z` };
        const tables: TableImportReport[] = [];
        const notImported = [...source.unreadable.map((u) => ({ table: u.name, reason: u.reason })), ...plan.notImported];
        for (const step of steps) {
          if (step.target.needsBot && !context.botId) {
            notImported.push({ table: step.table.name, reason: `${step.target.name} belong to a bot and the tenant has none yet: connect the bot in Kovan, then run the import again (re-runs add only what is missing)` });
            continue;
          }
          tables.push(await importStep(source, step, context, options.batchRows ?? DefaultBatchRows, options.progress ?? noProgress));
        }
        if (options.dryRun) throw new DryRunRollback({ tables, notImported });
        return { tables, notImported };
      });
    } catch (error) {
      if (!(error instanceof DryRunRollback)) throw error;
      outcome = error.outcome;
    }
    return {
      file: options.file, tenantId: options.tenant.id, dryRun: Boolean(options.dryRun),
      startedAt: started.toISOString(), seconds: (Date.now() - started.getTime()) / 1000, ...outcome,
    };
  } finally {
    source.close();
  }
}

async function ensureTenant(tx: TenantTx, tenant: LegacyImportOptions['tenant']): Promise<void> {
  if ((await tx.query('SELECT 1 FROM tenants')).rows.length > 0) return;
  if (!tenant.createIfMissing) throw new AppError('not_found', `Tenant ${tenant.id} does not exist`);
  await createTenant(tx, tenant.createIfMissing);
  if (tenant.createIfMissing.owner) await createOwner(tx, tenant.createIfMissing.owner);
}

/** The bot groups and history belong to: the one given, or the tenant's only connected bot. */
async function findBot(tx: TenantTx, botId: string | undefined): Promise<string | undefined> {
  if (botId) {
    const { rows } = await tx.query<{ id: string }>('SELECT id FROM bots WHERE id::text = $1', [botId]);
    if (!rows[0]) throw new AppError('not_found', `Bot ${botId} is not a bot of this tenant`);
    return rows[0].id;
  }
  const { rows } = await tx.query<{ id: string; username: string }>(`SELECT id, username FROM bots WHERE status <> 'disconnected' ORDER BY created_at`);
  if (rows.length > 1) {
    throw new AppError('validation_failed', `The tenant has ${rows.length} bots; choose the one the old bot was with --bot <id>: ${rows.map((r) => `${r.id} (@${r.username})`).join(', ')}`);
  }
  return rows[0]?.id;
}

interface Pending {
  row: unknown;
  line: number;
}

async function importStep(source: LegacySource, step: PlanStep, context: TargetContext, batchRows: number, progress: Progress): Promise<TableImportReport> {
  const { target, table } = step;
  const tally = new TableTally();
  const fields = Object.keys(step.columns);
  let batch = new Map<string, Pending>();

  const flush = async (entries: Pending[]) => {
    for (let i = 0; i < entries.length; i += batchRows) {
      const chunk = entries.slice(i, i + batchRows);
      const written = await target.write(context, chunk.map((e) => e.row));
      chunk.forEach((entry, n) => verify(tally, target, table.name, entry, written[n]!));
    }
  };

  progress.start(`${table.name} → ${target.kovanTable}`, table.rows);
  for (const record of records(source, step)) {
    tally.read++;
    if (record.first) progress.advance();
    const notes: Array<[string, string]> = [];
    let row: unknown;
    try {
      row = target.normalize(record.values, { note: (field, what) => notes.push([field, what]) }, context);
    } catch (error) {
      if (!(error instanceof RowRejected)) throw error;
      tally.skip(error.reason, record.row);
      continue;
    }
    for (const [field, what] of notes) tally.adjust(field, what);
    const key = target.key(row);
    const earlier = batch.get(key);
    if (earlier) {
      if (target.merge) earlier.row = target.merge(earlier.row, row);
      tally.skip(target.duplicateReason, record.row);
      continue;
    }
    batch.set(key, { row, line: record.row });
    // Sorted input: write all but the newest row, which a duplicate may still follow.
    if (target.dedupe === 'sorted' && batch.size > batchRows) {
      const entries = [...batch.values()];
      const newest = entries.pop()!;
      await flush(entries);
      batch = new Map([[key, newest]]);
    }
  }
  await flush([...batch.values()]);
  progress.finish();
  return tally.report({ table: table.name, target: target.name, kovanTable: target.kovanTable, columns: step.columns, ignoredColumns: step.ignoredColumns });

  /** The legacy rows as values by Kovan field; a wide settings table yields one record per column. */
  function* records(source: LegacySource, step: PlanStep): Generator<{ row: number; first: boolean; values: Record<string, unknown> }> {
    if (step.shape === 'wide') {
      const columns = step.table.columns.map((c) => c.name).filter((c) => !step.ignoredColumns.includes(c));
      for (const { row, values } of source.rows(step.table, columns)) {
        for (const [i, column] of columns.entries()) yield { row, first: i === 0, values: { key: column, value: values[i] } };
      }
      return;
    }
    const orderBy = target.dedupe === 'sorted' ? target.orderBy?.((field) => (step.columns[field] ? quote(step.columns[field]) : undefined)) : undefined;
    for (const { row, values } of source.rows(step.table, fields.map((f) => step.columns[f]!), orderBy) as Iterable<SourceRow>) {
      const byField: Record<string, unknown> = { __row: row };
      fields.forEach((field, i) => { byField[field] = values[i]; });
      yield { row, first: true, values: byField };
    }
  }
}

/**
 * Adds one written row to both checksums and classifies it. A NEW row stored differently
 * from how it was read is a bug in the importer: it aborts the whole import (rollback).
 */
function verify(tally: TableTally, target: LegacyTarget<unknown>, table: string, entry: Pending, written: Written): void {
  const read = written.read ?? target.canonical(entry.row);
  tally.source.add(read);
  tally.kovan.add(written.stored);
  if (JSON.stringify(read) === JSON.stringify(written.stored)) {
    tally[written.status === 'inserted' ? 'imported' : written.status]++;
  } else if (written.status === 'inserted') {
    throw new Error(`verification failed: ${table} row ${entry.line} was stored as ${JSON.stringify(written.stored)} but read as ${JSON.stringify(read)}; nothing was imported`);
  } else {
    tally.kept++;
  }
}
