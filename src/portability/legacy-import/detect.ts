import { AppError } from '../../platform/errors.js';
import type { LegacyMapping } from './mapping.js';
import type { SourceTable } from './source.js';
import type { LegacyTarget, TargetName } from './target.js';

/** One legacy table and how it will be imported. */
export interface PlanStep {
  table: SourceTable;
  target: LegacyTarget<unknown>;
  /** Kovan field → legacy column. */
  columns: Record<string, string>;
  /** `wide`: a settings table with one column per setting instead of key/value rows. */
  shape: 'rows' | 'wide';
  /** Legacy columns no Kovan field takes: reported as not imported. */
  ignoredColumns: string[];
}

export interface ImportPlan {
  steps: PlanStep[];
  notImported: Array<{ table: string; reason: string }>;
}

/** Columns compare without case, underscores or spaces: `firstName`, `first_name`, `First Name`. */
const loose = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Columns of a wide settings row that identify the row rather than hold a setting. */
const rowIdentity = new Set(['id', 'rowid', 'pk', 'createdat', 'updatedat']);

/**
 * Decides, table by table, what each legacy table becomes (docs/PORTABILITY.md lists the
 * rules): the mapping file first, then the table's name, then each field's column by its
 * aliases. A table that matches nothing, or lacks a required column, is reported with the
 * reason and a hint — never guessed at. Mapping mistakes stop the import before it starts.
 */
export function planImport(tables: SourceTable[], targets: Array<LegacyTarget<unknown>>, mapping: LegacyMapping = { version: 1 }): ImportPlan {
  checkMapping(tables, targets, mapping);
  const steps: PlanStep[] = [];
  const notImported: ImportPlan['notImported'] = [];
  for (const table of tables) {
    const mapped = mapping.tables?.[table.name];
    if (mapped && 'skip' in mapped) {
      notImported.push({ table: table.name, reason: `skipped by the mapping file: ${mapped.skip}` });
      continue;
    }
    const target = mapped ? targets.find((t) => t.name === mapped.target)! : targets.find((t) => t.tableNames.test(table.name.toLowerCase()));
    if (!target) {
      notImported.push({ table: table.name, reason: `not recognised as any of ${targets.map((t) => t.name).join(', ')}; to import it as one, name it in a mapping file` });
      continue;
    }
    const columns = resolveColumns(target, table, mapped?.columns ?? {});
    const missing = target.fields.filter((f) => f.required && !columns[f.name]);
    if (target.name === 'settings' && missing.length > 0 && !mapped?.columns) {
      const settingColumns = table.columns.filter((c) => !rowIdentity.has(loose(c.name)));
      steps.push({ table, target, columns: {}, shape: 'wide', ignoredColumns: table.columns.filter((c) => !settingColumns.includes(c)).map((c) => c.name) });
      continue;
    }
    if (target.name === 'messages' && !columns.chat_id && !columns.user_id) missing.push({ name: 'chat_id or user_id', aliases: [] });
    if (missing.length > 0) {
      const what = missing.map((f) => `${f.name}${f.aliases.length > 0 ? ` (looked for ${f.aliases.join(', ')})` : ''}`).join('; ');
      notImported.push({ table: table.name, reason: `looks like ${target.name} but has no column for ${what}; map it in a mapping file` });
      continue;
    }
    const used = new Set(Object.values(columns));
    steps.push({ table, target, columns, shape: 'rows', ignoredColumns: table.columns.map((c) => c.name).filter((c) => !used.has(c)) });
  }
  return { steps, notImported };
}

/** Each field's column: the mapping's, else the first alias present that no earlier field took. */
function resolveColumns(target: LegacyTarget<unknown>, table: SourceTable, mapped: Record<string, string>): Record<string, string> {
  const columns: Record<string, string> = { ...mapped };
  const taken = new Set(Object.values(mapped));
  for (const field of target.fields) {
    if (columns[field.name]) continue;
    for (const alias of field.aliases) {
      const column = table.columns.find((c) => loose(c.name) === loose(alias) && !taken.has(c.name));
      if (column) {
        columns[field.name] = column.name;
        taken.add(column.name);
        break;
      }
    }
  }
  return columns;
}

function checkMapping(tables: SourceTable[], targets: Array<LegacyTarget<unknown>>, mapping: LegacyMapping): void {
  const problems: string[] = [];
  for (const [name, entry] of Object.entries(mapping.tables ?? {})) {
    const table = tables.find((t) => t.name === name);
    if (!table) {
      problems.push(`tables.${name}: the file has no such table (it has: ${tables.map((t) => t.name).join(', ') || 'none'})`);
      continue;
    }
    if ('skip' in entry) continue;
    const target = targets.find((t) => t.name === (entry.target as TargetName))!;
    for (const [field, column] of Object.entries(entry.columns ?? {})) {
      if (!target.fields.some((f) => f.name === field)) {
        problems.push(`tables.${name}.columns.${field}: ${target.name} has no field "${field}" (fields: ${target.fields.map((f) => f.name).join(', ')})`);
      }
      if (!table.columns.some((c) => c.name === column)) {
        problems.push(`tables.${name}.columns.${field}: ${name} has no column "${column}" (columns: ${table.columns.map((c) => c.name).join(', ')})`);
      }
    }
  }
  if (problems.length > 0) throw new AppError('validation_failed', `The mapping file does not fit this database:\n  ${problems.join('\n  ')}`);
}
