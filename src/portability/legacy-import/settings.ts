import { configKeys, isConfigKey, updateConfig, type ConfigKey } from '../../tenancy/index.js';
import type { Canonical, LegacyTarget, Written } from './target.js';
import { templateContent, templateName, templatesTarget, type TemplateRow } from './templates.js';
import { RowRejected, legacyBoolean, legacyOptionalText, stableJson, type Adjustments } from './values.js';

/** A legacy setting becomes a Kovan configuration value or, for texts, a template. */
export type SettingRow =
  | { kind: 'config'; key: ConfigKey; value: unknown }
  | { kind: 'template'; template: TemplateRow };

/**
 * Where a legacy setting goes: a configuration key, `template:<kind>:<name>`, or `skip`.
 * The mapping file's `settings` section adds to (and overrides) these.
 */
export const builtinSettingNames: Record<string, string> = {
  timezone: 'time_zone', time_zone: 'time_zone', tz: 'time_zone',
  language: 'language', lang: 'language', locale: 'language', bot_language: 'language',
  parse_mode: 'default_parse_mode', default_parse_mode: 'default_parse_mode', parsemode: 'default_parse_mode',
  welcome_enabled: 'welcome_new_members', welcome_new_members: 'welcome_new_members', greet_new_members: 'welcome_new_members',
  send_welcome: 'welcome_new_members', greeting_enabled: 'welcome_new_members', welcome_on: 'welcome_new_members',
  join_request_action: 'join_request_action', auto_approve: 'join_request_action', approve_join_requests: 'join_request_action',
  auto_accept: 'join_request_action',
  quiet_hours: 'quiet_hours', missed_run_policy: 'missed_run_policy', paid_broadcast: 'paid_broadcast',
  welcome_message: 'template:message:welcome', welcome_text: 'template:message:welcome', welcome: 'template:message:welcome',
  greeting: 'template:message:welcome', greeting_message: 'template:message:welcome', welcome_template: 'template:message:welcome',
  invite_message: 'template:invite:invite', invite_text: 'template:invite:invite', invite_template: 'template:invite:invite',
  join_request_message: 'template:invite:invite',
};

/** Settings that hold credentials: never imported (the bot is connected in Kovan instead). */
const secretName = /token|secret|password|passwd|api_?hash|api_?key|session|private_?key|credential/i;

/** A valid destination for a legacy setting, as written in mappings. */
export const settingDestination = /^(skip|template:(message|invite|reply):.{1,80}|[a-z_]+)$/;

/**
 * Legacy settings / config → `tenant_configs` (validated by each key's own schema) and
 * templates. Two shapes are read: key/value rows, and one wide row whose columns are the
 * settings. A key the tenant already set in Kovan is left alone.
 */
export function settingsTarget(mapped: Record<string, string> = {}): LegacyTarget<SettingRow> {
  const destinations = { ...builtinSettingNames, ...Object.fromEntries(Object.entries(mapped).map(([k, v]) => [k.toLowerCase(), v])) };
  return {
    name: 'settings',
    kovanTable: 'tenant_configs',
    tableNames: /^(bot_)?(settings?|config|configs|configuration|options?|preferences|prefs|kv|key_?values?|parameters|params)$/,
    fields: [
      { name: 'key', aliases: ['key', 'name', 'setting', 'option', 'k', 'param', 'parameter', 'setting_name', 'config_key'], required: true },
      { name: 'value', aliases: ['value', 'val', 'v', 'setting_value', 'config_value', 'data'], required: true },
    ],
    needsBot: false,
    dedupe: 'whole-table',

    normalize(v, adjust) {
      const key = legacyOptionalText(v.key, 'key', adjust)?.trim();
      if (!key) throw new RowRejected('the setting has no name');
      const destination = destinations[key.toLowerCase()];
      if (destination === 'skip') throw new RowRejected(`setting "${key}": skipped by the mapping`);
      if (!destination && secretName.test(key)) throw new RowRejected(`setting "${key}": a credential, never imported (connect the bot in Kovan)`);
      if (!destination) throw new RowRejected(`setting "${key}": Kovan has no such setting`);
      const template = /^template:(message|invite|reply):(.+)$/.exec(destination);
      if (template) {
        return { kind: 'template', template: { kind: template[1] as TemplateRow['kind'], name: templateName(template[2]!, adjust), content: templateContent(v.value, adjust) } };
      }
      if (!isConfigKey(destination)) throw new RowRejected(`setting "${key}": "${destination}" is not a Kovan setting`);
      const parsed = configKeys[destination].schema.safeParse(coerce(destination, v.value, adjust));
      if (!parsed.success) throw new RowRejected(`setting "${key}": not a valid ${destination} (${parsed.error.issues[0]?.message ?? 'invalid'})`);
      return { kind: 'config', key: destination, value: parsed.data };
    },

    key: (row) => (row.kind === 'config' ? `config:${row.key}` : `template:${templatesTarget.key(row.template)}`),
    duplicateReason: 'set twice: the first value was kept',
    canonical: (row): Canonical => (row.kind === 'config' ? ['config', row.key, stableJson(row.value)] : ['template', ...templatesTarget.canonical(row.template)]),

    async write(context, rows) {
      const written: Written[] = new Array(rows.length);
      const templates = rows.flatMap((row, i) => (row.kind === 'template' ? [{ i, template: row.template }] : []));
      const stored = templates.length > 0 ? await templatesTarget.write(context, templates.map((t) => t.template)) : [];
      templates.forEach(({ i }, n) => { written[i] = { status: stored[n]!.status, stored: ['template', ...stored[n]!.stored] }; });
      for (const [i, row] of rows.entries()) {
        if (row.kind === 'config') written[i] = await writeConfig(context.tx, row.key, row.value);
      }
      return written;
    },
  };
}

/** Sets the key unless the tenant already has (validated and audited by the tenancy service). */
async function writeConfig(tx: Parameters<typeof updateConfig>[0], key: ConfigKey, value: unknown): Promise<Written> {
  const read = async () => (await tx.query<{ value: unknown }>('SELECT value FROM tenant_configs WHERE key = $1', [key])).rows[0];
  const existing = await read();
  if (existing) return { status: 'unchanged', stored: ['config', key, stableJson(existing.value)] };
  await updateConfig(tx, key, value);
  return { status: 'inserted', stored: ['config', key, stableJson((await read())!.value)] };
}

/** Legacy spellings of each key's values, before the key's schema judges them. */
function coerce(key: ConfigKey, value: unknown, adjust: Adjustments): unknown {
  const text = legacyOptionalText(value, key, adjust)?.trim();
  if (text === undefined) return null;
  switch (key) {
    case 'language':
      return text.toLowerCase().slice(0, 2); // tr_TR, en-US → tr, en
    case 'default_parse_mode':
      return /^html$/i.test(text) ? 'HTML' : /^(plain|text|none)$/i.test(text) ? 'plain' : text;
    case 'welcome_new_members':
    case 'paid_broadcast':
      return legacyBoolean(text, key, adjust);
    case 'join_request_action': {
      const yes = legacyBoolean(text, key, { note() {} });
      return yes === null ? text.toLowerCase() : yes ? 'approve' : 'leave_pending';
    }
    case 'quiet_hours': {
      if (/^(off|none|no|false|0)$/i.test(text)) return null;
      const range = /^(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})$/.exec(text);
      if (range) return { start: range[1]!.padStart(5, '0'), end: range[2]!.padStart(5, '0') };
      return parseJson(text);
    }
    case 'notifications':
      return parseJson(text);
    default:
      return text;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
