import { z } from 'zod';

/**
 * The tenant archive, version 1 (docs/PORTABILITY.md is its specification): a gzip-compressed
 * tarball holding `manifest.json` first, then one `tables/<table>.ndjson` per table, each
 * line one row as a JSON object. Readers must refuse a `version` they do not know.
 */
export const ArchiveFormat = 'kovan-tenant-archive';
export const ArchiveVersion = 1;
export const ManifestName = 'manifest.json';

/** Where a table's rows live inside the archive. */
export function tableFileName(table: string): string {
  return `tables/${table}.ndjson`;
}

/** Entries a reader accepts: the manifest and table files with catalog-shaped names. */
export const archiveEntryName = /^(manifest\.json|tables\/[a-z_][a-z0-9_]{0,62}\.ndjson)$/;

/**
 * Tables whose rows describe the source instance rather than the tenant's data; they are
 * never exported. Every other tenant table is, including tables added by later migrations.
 */
export const excludedTables: Record<string, string> = {
  sessions: 'login sessions belong to the source instance; members log in again',
  password_resets: 'pending reset links belong to the source instance',
  leases: "the source fleet's runtime state; the target's workers take their own leases",
  processed_updates: 'update de-duplication state of the source pollers',
  idempotency_keys: "answers to requests made to the source instance, kept a day for its clients' retries",
};

/**
 * Credentials: sealed secrets (`*_sealed`, AES-GCM under the instance key) and credential
 * hashes (`*_hash`: password hashes, token hashes). A tenant's own download carries none of
 * them; an operator's archive re-seals `*_sealed` under a one-time archive key and carries
 * `*_hash` as is (argon2 hashes are portable, so members keep their passwords).
 */
export function isSealedColumn(column: string): boolean {
  return column.endsWith('_sealed');
}

export function isCredentialColumn(column: string): boolean {
  return isSealedColumn(column) || column.endsWith('_hash');
}

/**
 * The context a sealed column is sealed with inside an instance: the tenant id, so a
 * sealed value copied to another tenant's row does not open. Import re-seals under the
 * target key with the new tenant id.
 */
export function instanceSealingContext(tenantId: string): string {
  return tenantId;
}

/** Inside an archive, a secret is bound to its table and column. */
export function archiveSealingContext(table: string, column: string): string {
  return `kovan-archive:${table}.${column}`;
}

/** A known plaintext sealed under the archive key, so a wrong key is reported before any work. */
export const ArchiveKeyCheck = 'kovan-archive-key-check';

const tableEntry = z.strictObject({
  name: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/),
  file: z.string(),
  rows: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  columns: z.array(z.strictObject({ name: z.string().min(1).max(63), type: z.string().min(1).max(200) })).min(1),
  primaryKey: z.array(z.string()),
});

export const archiveManifestSchema = z.strictObject({
  format: z.literal(ArchiveFormat),
  version: z.number().int(),
  createdAt: z.string(),
  source: z.strictObject({ tenantId: z.uuid(), tenantName: z.string() }),
  /** `sealed`: secrets are sealed under an archive key given at export; `omitted`: no credentials at all. */
  secrets: z.enum(['sealed', 'omitted']),
  keyCheck: z.string().optional(),
  tables: z.array(tableEntry).min(1),
  excluded: z.array(z.strictObject({ name: z.string(), reason: z.string() })),
});

export type ArchiveManifest = z.infer<typeof archiveManifestSchema>;
export type ArchiveTable = ArchiveManifest['tables'][number];

/** The archive key as printed by export and as `--archive-key-file` holds it: 32 bytes, base64url. */
export function encodeArchiveKey(key: Buffer): string {
  return key.toString('base64url');
}

export function decodeArchiveKey(text: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64url');
  if (key.length !== 32) throw new Error('the archive key must be 32 bytes, base64url-encoded (as printed by `kovan tenant export`)');
  return key;
}
