import { batchJson, writeKeyed, type Canonical, type LegacyTarget } from './target.js';
import { RowRejected, legacyOptionalText, legacyText, limitLength, type Adjustments } from './values.js';

/** A message, invite or reply text, as a `templates` row. */
export interface TemplateRow {
  kind: 'message' | 'invite' | 'reply';
  name: string;
  content: string;
}

/** Telegram's limit for one message, and Kovan's for a template. */
const MaxContent = 4096;
const MaxName = 80;

/** Reads the kind from the old bot's words for it (`welcome`, `join_request`, `auto_reply`, …). */
export function templateKind(text: string | null | undefined): TemplateRow['kind'] {
  const word = (text ?? '').toLowerCase();
  if (/invite|join/.test(word)) return 'invite';
  if (/repl|answer|respon|trigger|auto/.test(word)) return 'reply';
  return 'message';
}

/** Validates a template text from any legacy source (a templates table, a setting). */
export function templateContent(value: unknown, adjust: Adjustments): string {
  const content = legacyText(value, 'content', adjust);
  if (content === null || content.trim() === '') throw new RowRejected('content is empty');
  if ([...content].length > MaxContent) throw new RowRejected(`content is longer than ${MaxContent} characters (Telegram's limit)`);
  return content;
}

/** Kind and name: what makes a template unique in a tenant. */
const templateKey = (row: Canonical) => `${row[0]}\u0000${row[1]}`;

export function templateName(text: string, adjust: Adjustments): string {
  return limitLength(text.trim(), MaxName, 'name', adjust);
}

/**
 * Legacy templates / texts → `templates`. Without a kind column the kind is read from the
 * name. A template Kovan already has (same kind and name) is kept as it is in Kovan.
 */
export const templatesTarget: LegacyTarget<TemplateRow> = {
  name: 'templates',
  kovanTable: 'templates',
  tableNames: /^(message_|msg_|bot_)?(templates?|texts?|responses?|snippets?|canned_(responses|messages)|replies|answers)$/,
  fields: [
    { name: 'content', aliases: ['content', 'text', 'body', 'message', 'message_text', 'template', 'value', 'response', 'answer'], required: true },
    { name: 'name', aliases: ['name', 'title', 'key', 'slug', 'template_name', 'code', 'trigger', 'keyword'] },
    { name: 'kind', aliases: ['kind', 'type', 'category', 'purpose', 'template_type'] },
  ],
  needsBot: false,
  dedupe: 'whole-table',

  normalize(v, adjust) {
    const content = templateContent(v.content, adjust);
    const givenName = legacyOptionalText(v.name, 'name', adjust)?.trim();
    if (!givenName) adjust.note('name', 'empty: named after the legacy row');
    const name = templateName(givenName || `imported ${String(v.__row)}`, adjust);
    const kindText = legacyOptionalText(v.kind, 'kind', adjust);
    return { kind: templateKind(kindText ?? name), name, content };
  },

  key: (row) => templateKey(templatesTarget.canonical(row)),
  duplicateReason: 'duplicate template (same kind and name): the first row was kept',
  canonical: (r): Canonical => [r.kind, r.name, r.content],

  async write({ tx }, rows) {
    const input = `json_to_recordset($1::json) AS i(ord int, kind text, name text, content text)`;
    const stored = `json_build_array(t.kind, t.name, t.content)`;
    return writeKeyed(tx, {
      rows: rows.map(templatesTarget.canonical), json: batchJson(rows), keyOf: templateKey,
      existing: { sql: `SELECT ${stored} AS row FROM ${input} JOIN templates t ON t.kind = i.kind AND t.name = i.name`, params: [] },
      // A template Kovan has is the tenant's to change: the import never overwrites it.
      upsert: {
        sql: `INSERT INTO templates AS t (tenant_id, kind, name, content) SELECT $2, kind, name, content FROM ${input}
          ON CONFLICT (tenant_id, kind, name) DO NOTHING RETURNING ${stored} AS row`,
        params: [tx.tenantId],
      },
    });
  },
};
