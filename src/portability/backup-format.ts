import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Config } from '../config.js';

/**
 * Where the whole database lives, as backup and restore see it: a PostgreSQL server (the
 * owner's URL) or the embedded PGlite data directory. Mirrors `openDatabase`.
 */
export type DatabaseLocation = { kind: 'postgres'; ownerUrl: string } | { kind: 'pglite'; dataDir: string };

export function databaseLocation(config: Pick<Config, 'DATABASE_URL' | 'DATA_DIR'>): DatabaseLocation {
  return config.DATABASE_URL
    ? { kind: 'postgres', ownerUrl: config.DATABASE_URL }
    : { kind: 'pglite', dataDir: path.resolve(config.DATA_DIR, 'pglite') };
}

/**
 * A backup is a directory: `manifest.json` plus one artifact, `database.dump` (pg_dump's
 * custom format) or `pglite-datadir.tar.gz` (PGlite's `dumpDataDir`). The manifest lets a
 * restore prove itself: the artifact's SHA-256 is checked before anything is touched, and
 * every table's row count and checksum after.
 */
export const BackupManifestName = 'manifest.json';
export const BackupArtifact = { postgres: 'database.dump', pglite: 'pglite-datadir.tar.gz' } as const;

export const backupManifestSchema = z.strictObject({
  format: z.literal('kovan-backup'),
  version: z.literal(1),
  createdAt: z.string(),
  database: z.enum(['postgres', 'pglite']),
  migrations: z.array(z.string()),
  artifact: z.strictObject({ file: z.string(), bytes: z.number().int().min(0), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
  tables: z.record(z.string(), z.strictObject({ rows: z.number().int().min(0), checksum: z.string() })),
});

export type BackupManifest = z.infer<typeof backupManifestSchema>;

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
