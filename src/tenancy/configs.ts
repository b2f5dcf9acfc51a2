import { AppError } from '../platform/errors.js';
import type { TenantTx } from '../platform/db/index.js';
import { recordAudit } from './audit.js';
import { configKeys, isConfigKey, type ConfigKey, type ConfigValue } from './config-keys.js';

/**
 * The tenant's stored configuration, read once per transaction: an update's pipeline asks
 * for the time zone, the parse mode and a group's defaults, and each would otherwise be a
 * round trip. The handful of rows is loaded whole on the first read; `updateConfig` keeps
 * the loaded copy current.
 */
const loaded = new WeakMap<TenantTx, Promise<Map<string, unknown>>>();

function storedConfigs(tx: TenantTx): Promise<Map<string, unknown>> {
  // The promise is kept, not the result: callers that ask at once (a list mapping its rows
  // in parallel) share one query instead of sending several on one connection.
  let stored = loaded.get(tx);
  if (!stored) {
    stored = tx.query<{ key: string; value: unknown }>(`SELECT key, value FROM tenant_configs`).then(({ rows }) => new Map(rows.map((r) => [r.key, r.value])));
    loaded.set(tx, stored);
  }
  return stored;
}

/**
 * The stored configuration as one JSON object, for a statement a caller sends anyway: the
 * update pipeline fetches it with its first statement and hands it to {@link primeConfig},
 * which saves the update a round trip.
 */
export const storedConfigsSubquery = `(SELECT coalesce(jsonb_object_agg(key, value), '{}'::jsonb) FROM tenant_configs)`;

/** Serves this transaction's `getConfig` calls from `stored` (read with {@link storedConfigsSubquery}). */
export function primeConfig(tx: TenantTx, stored: Record<string, unknown>): void {
  if (!loaded.has(tx)) loaded.set(tx, Promise.resolve(new Map(Object.entries(stored))));
}

/** The tenant's value for `key`, or the key's default. */
export async function getConfig<K extends ConfigKey>(tx: TenantTx, key: K): Promise<ConfigValue<K>> {
  const stored = await storedConfigs(tx);
  const value = stored.has(key) ? stored.get(key) : configKeys[key].default;
  // Callers get their own copy of object values: the loaded one is shared for the transaction.
  return (typeof value === 'object' && value !== null ? structuredClone(value) : value) as ConfigValue<K>;
}

/** Every known key with its current value (defaults filled in). */
export async function listConfigs(tx: TenantTx): Promise<Record<ConfigKey, unknown>> {
  const stored = new Map(await storedConfigs(tx));
  return Object.fromEntries(
    Object.entries(configKeys).map(([key, spec]) => [key, stored.has(key) ? stored.get(key) : spec.default]),
  ) as Record<ConfigKey, unknown>;
}

/**
 * Validates `value` against the key's schema and stores it, audited. Unknown keys and
 * invalid values are 400s that say which and why.
 */
export async function updateConfig(tx: TenantTx, key: string, value: unknown, memberId?: string): Promise<unknown> {
  if (!isConfigKey(key)) {
    throw new AppError('validation_failed', `unknown configuration key "${key}"`, {
      fields: [{ field: 'config_key', message: `must be one of: ${Object.keys(configKeys).join(', ')}` }],
    });
  }
  const parsed = configKeys[key].schema.safeParse(value);
  if (!parsed.success) {
    throw new AppError('validation_failed', `invalid value for "${key}"`, {
      fields: parsed.error.issues.map((i) => ({ field: ['config_value', ...i.path].join('.'), message: i.message })),
    });
  }
  const before = await getConfig(tx, key);
  await tx.query(
    `INSERT INTO tenant_configs (tenant_id, key, value, updated_by) VALUES ($1, $2, $3::jsonb, $4)
     ON CONFLICT (tenant_id, key) DO UPDATE SET value = EXCLUDED.value, updated_at = now(), updated_by = EXCLUDED.updated_by`,
    [tx.tenantId, key, JSON.stringify(parsed.data), memberId ?? null],
  );
  (await loaded.get(tx))?.set(key, structuredClone(parsed.data));
  await recordAudit(tx, { memberId, action: 'config.updated', entity: 'config', entityId: key, before, after: parsed.data });
  return parsed.data;
}
