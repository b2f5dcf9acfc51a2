import { randomBytes, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { assertLoginFree, PasswordHasher } from '../auth/index.js';
import { loadConfig, type Config } from '../config.js';
import { SecretBox } from '../platform/crypto.js';
import { migrate, openDatabase, type Database } from '../platform/db/index.js';
import { AppError } from '../platform/errors.js';
import { decodeArchiveKey, encodeArchiveKey } from './archive-format.js';
import { backupDatabase } from './backup.js';
import { databaseLocation } from './backup-format.js';
import type { LegacyImportOptions } from './legacy-import/import-sqlite.js';
import { loadMapping } from './legacy-import/mapping.js';
import { renderReport } from './legacy-import/report.js';
import { terminalProgress } from './progress.js';
import { restoreDatabase } from './restore.js';
import { deleteTenant, describeTenantData } from './tenant-delete.js';
import { exportTenant } from './tenant-export.js';
import { importTenant } from './tenant-import.js';
import { DefaultTenantId, DefaultTenantName, findDefaultTenant, resolveTenant } from './tenant-ref.js';

/** The shape of a command in `src/main.ts`'s `commands` record. */
export interface CliCommand {
  summary: string;
  usage: string;
  run(args: string[]): Promise<void>;
}

/** A mistake in how the command was called: exit code 2, like the CLI's own usage errors. */
class UsageError extends Error {}

/**
 * Runs a command body, turning the errors a person can act on (bad input, AppErrors,
 * parseArgs complaints) into one line on stderr and a non-zero exit code. Anything else is a
 * bug and reaches main's handler with its stack.
 */
function command(name: string, body: (args: string[]) => Promise<void>): (args: string[]) => Promise<void> {
  return async (args) => {
    try {
      await body(args);
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      if (error instanceof UsageError || code.startsWith('ERR_PARSE_ARGS')) {
        console.error(`kovan ${name}: ${(error as Error).message}\nSee: kovan ${name} --help`);
        process.exitCode = 2;
      } else if (error instanceof AppError) {
        console.error(`kovan ${name}: ${error.message}`);
        process.exitCode = 1;
      } else {
        throw error;
      }
    }
  };
}

function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  return parseArgs({ args, options, allowPositionals: true, strict: true });
}

/** The database as the schema owner, migrated (a fresh DATA_DIR works); closed afterwards. */
async function withDatabase<T>(fn: (db: Database, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const db = await openDatabase(config);
  try {
    await migrate(db);
    return await fn(db, config);
  } finally {
    await db.close();
  }
}

const stamp = () => new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
const count = (n: number) => n.toLocaleString('en-US');

const backup: CliCommand = {
  summary: 'Back up the whole database (pg_dump, or the embedded PGlite data directory)',
  usage: `kovan backup [--out <directory>]

Writes <directory> (default ./backups/kovan-<time>): manifest.json with every table's row
count and checksum, and database.dump (PostgreSQL, pg_dump custom format, consistent while
Kovan runs) or pglite-datadir.tar.gz (embedded database: stop Kovan first). Keep
KOVAN_SECRET_KEY safe separately: without it the bot tokens in a backup cannot be read.`,
  run: command('backup', async (args) => {
    const { values } = parse(args, { out: { type: 'string' } });
    const directory = path.resolve(values.out ?? path.join('backups', `kovan-${stamp()}`));
    const manifest = await backupDatabase(databaseLocation(loadConfig()), directory);
    const rows = Object.values(manifest.tables).reduce((sum, t) => sum + t.rows, 0);
    console.log(`Backup written to ${directory}
  ${Object.keys(manifest.tables).length} tables, ${count(rows)} rows, ${manifest.database} artifact ${manifest.artifact.file} (${count(manifest.artifact.bytes)} bytes)
  sha256 ${manifest.artifact.sha256}`);
  }),
};

const restore: CliCommand = {
  summary: 'Restore a backup made by `kovan backup`, and prove it with the manifest’s checksums',
  usage: `kovan restore <backup-directory> [--replace]

PostgreSQL (DATABASE_URL): restores into an EMPTY database, in one transaction.
Embedded (no DATABASE_URL): restores into DATA_DIR/pglite; --replace swaps out an existing
one (kept beside it as pglite.before-restore-<time>). Stop Kovan first.
Exit code 1 when any table's row count or checksum differs from the backup's manifest.`,
  run: command('restore', async (args) => {
    const { values, positionals } = parse(args, { replace: { type: 'boolean', default: false } });
    const [directory] = positionals;
    if (!directory || positionals.length > 1) throw new UsageError('give exactly one backup directory');
    const report = await restoreDatabase(databaseLocation(loadConfig()), path.resolve(directory), { replace: values.replace });
    const rows = Object.values(report.tables).reduce((sum, t) => sum + t.rows, 0);
    if (report.previousDataDir) console.log(`The previous data directory was moved to ${report.previousDataDir}`);
    if (report.mismatches.length > 0) {
      for (const m of report.mismatches) console.error(`  ${m.name}: backup ${m.expected?.rows ?? '—'} rows ${m.expected?.checksum ?? ''}, restored ${m.actual?.rows ?? '—'} rows ${m.actual?.checksum ?? ''}`);
      throw new AppError('internal', `the restored database differs from the backup in ${report.mismatches.length} tables`);
    }
    console.log(`Restored ${count(rows)} rows in ${Object.keys(report.tables).length} tables from the backup of ${report.manifest.createdAt}; every table's count and checksum matches the backup.`);
  }),
};

const tenantUsage = `kovan tenant export <tenant> [--out <file.tar.gz>] [--without-secrets] [--archive-key-file <path>]
kovan tenant import <file.tar.gz> [--archive-key-file <path>] [--name <tenant name>]
kovan tenant delete <tenant> [--yes]

<tenant> is a tenant id or an exact tenant name.
export   writes the tenant's complete data as a tenant archive (docs/PORTABILITY.md). Secrets
         (bot tokens, webhook secrets) are sealed under a NEW archive key, printed once (or
         written to --archive-key-file); --without-secrets leaves them and password hashes out.
import   creates a NEW tenant from an archive (new ids; secrets re-sealed under this
         instance's KOVAN_SECRET_KEY). Needs the archive key when the archive holds secrets.
delete   removes every row of the tenant in one transaction; without --yes it only shows
         what would be deleted.`;

const tenant: CliCommand = {
  summary: 'Export, import or delete one tenant (archive of NDJSON + manifest)',
  usage: tenantUsage,
  run: command('tenant', async (args) => {
    const [action, ...rest] = args;
    if (action === 'export') return exportCommand(rest);
    if (action === 'import') return importCommand(rest);
    if (action === 'delete') return deleteCommand(rest);
    throw new UsageError(`unknown action "${action ?? ''}": use export, import or delete`);
  }),
};

async function exportCommand(args: string[]): Promise<void> {
  const { values, positionals } = parse(args, {
    out: { type: 'string' }, 'without-secrets': { type: 'boolean', default: false }, 'archive-key-file': { type: 'string' },
  });
  if (positionals.length !== 1) throw new UsageError('give exactly one tenant (id or name)');
  if (values['without-secrets'] && values['archive-key-file']) throw new UsageError('--archive-key-file has no use with --without-secrets');
  await withDatabase(async (db, config) => {
    const found = await resolveTenant(db, positionals[0]!);
    const out = path.resolve(values.out ?? `kovan-tenant-${found.id}-${stamp()}.tar.gz`);
    const archiveKey = randomBytes(32);
    const secrets = values['without-secrets']
      ? { mode: 'omitted' as const }
      : { mode: 'sealed' as const, instance: new SecretBox(config.secretKey), archive: new SecretBox(archiveKey) };
    try {
      const manifest = await exportTenant(db, found.id, createWriteStream(out, { flags: 'wx' }), secrets);
      console.log(`Exported tenant "${found.name}" (${found.id}) to ${out}`);
      for (const t of manifest.tables) console.log(`  ${t.name.padEnd(24)} ${count(t.rows).padStart(12)} rows`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') await rm(out, { force: true });
      throw error;
    }
    if (secrets.mode === 'omitted') return;
    if (values['archive-key-file']) {
      await writeFile(values['archive-key-file'], encodeArchiveKey(archiveKey) + '\n', { mode: 0o600, flag: 'wx' });
      console.error(`The archive key is in ${values['archive-key-file']}: import needs it; keep it apart from the archive.`);
    } else {
      console.error(`Archive key (shown once; import needs it, keep it apart from the archive):\n${encodeArchiveKey(archiveKey)}`);
    }
  });
}

async function importCommand(args: string[]): Promise<void> {
  const { values, positionals } = parse(args, { 'archive-key-file': { type: 'string' }, name: { type: 'string' } });
  if (positionals.length !== 1) throw new UsageError('give exactly one archive file');
  if (values.name !== undefined && (values.name.trim().length === 0 || values.name.length > 120)) throw new UsageError('--name must be 1–120 characters');
  const archiveKey = values['archive-key-file'] ? new SecretBox(decodeArchiveKey(await readFile(values['archive-key-file'], 'utf8'))) : undefined;
  await withDatabase(async (db, config) => {
    const report = await importTenant(db, createReadStream(path.resolve(positionals[0]!)), { instance: new SecretBox(config.secretKey), archiveKey, name: values.name?.trim() });
    console.log(`Imported tenant ${report.sourceTenantId} as the new tenant ${report.tenantId}`);
    for (const t of report.tables) {
      const skipped = Object.entries(t.skipped).map(([reason, n]) => `; ${count(n)} skipped: ${reason}`).join('');
      console.log(`  ${t.name.padEnd(24)} ${count(t.imported).padStart(12)} of ${count(t.rows)} rows${skipped}`);
    }
  });
}

async function deleteCommand(args: string[]): Promise<void> {
  const { values, positionals } = parse(args, { yes: { type: 'boolean', default: false } });
  if (positionals.length !== 1) throw new UsageError('give exactly one tenant (id or name)');
  await withDatabase(async (db) => {
    const found = await resolveTenant(db, positionals[0]!);
    const data = values.yes ? await deleteTenant(db, found.id) : await describeTenantData(db, found.id);
    const rows = Object.entries(data.rows).filter(([, n]) => n > 0).map(([table, n]) => `  ${table.padEnd(24)} ${count(n).padStart(12)} rows`);
    if (!values.yes) {
      console.log(`Tenant "${data.name}" (${data.id}) holds:\n${rows.join('\n') || '  no rows'}\nNothing was deleted: run again with --yes to delete all of it.`);
      process.exitCode = 1;
      return;
    }
    console.log(`Deleted tenant "${data.name}" (${data.id}) and every row of it:\n${rows.join('\n') || '  no rows'}`);
  });
}

const usernamePattern = /^[a-z0-9_.-]{3,32}$/;

const importSqlite: CliCommand = {
  summary: "Import the old bot's SQLite database into a tenant (idempotent, verified by checksums)",
  usage: `kovan import-sqlite <file.db> [--tenant <id|name> | --new-tenant <username> [--email <address>]]
                   [--mapping <file.json>] [--source-timezone <zone>] [--bot <bot id>] [--dry-run] [--report <file.json>]

Without --tenant or --new-tenant everything goes to the tenant named "default" (created
when missing). --new-tenant registers a tenant with an owner login and prints its password
once. Groups and history need the tenant's bot: connect it first, or re-run after (re-runs
add only what is missing). Dates without a zone are read in --source-timezone (default UTC).
--dry-run does everything, reports, and writes nothing. See docs/PORTABILITY.md for what is
detected and for the mapping file.`,
  run: command('import-sqlite', async (args) => {
    const { values, positionals } = parse(args, {
      tenant: { type: 'string' }, 'new-tenant': { type: 'string' }, email: { type: 'string' }, mapping: { type: 'string' },
      'source-timezone': { type: 'string' }, bot: { type: 'string' }, 'dry-run': { type: 'boolean', default: false }, report: { type: 'string' },
    });
    if (positionals.length !== 1) throw new UsageError('give exactly one SQLite file');
    if (values.tenant && values['new-tenant']) throw new UsageError('use --tenant or --new-tenant, not both');
    if (values.email && !values['new-tenant']) throw new UsageError('--email goes with --new-tenant');
    const newUsername = values['new-tenant']?.toLowerCase();
    if (newUsername !== undefined && !usernamePattern.test(newUsername)) throw new UsageError('--new-tenant must be 3–32 characters: letters, digits, _ . -');
    const mapping = values.mapping ? await loadMapping(values.mapping) : undefined;
    const dryRun = values['dry-run'];

    // Loaded here, not at the top: it brings the native SQLite driver, which no other command needs.
    const { importLegacySqlite } = await import('./legacy-import/import-sqlite.js');
    await withDatabase(async (db, config) => {
      const { tenant, ownerPassword } = await chooseTenant(db, config, { ref: values.tenant, newUsername, email: values.email });
      const report = await importLegacySqlite(db, {
        file: path.resolve(positionals[0]!), tenant, mapping, sourceTimeZone: values['source-timezone'], botId: values.bot, dryRun,
        progress: terminalProgress(process.stderr),
      });
      const owner = tenant.createIfMissing?.owner;
      if (owner && ownerPassword && !dryRun) {
        console.error(`Created tenant ${tenant.id} with the owner login "${owner.username}" (${owner.email}).\nPassword (shown once): ${ownerPassword}`);
      }
      console.log(renderReport(report));
      if (values.report) await writeFile(values.report, JSON.stringify(report, null, 2) + '\n');
    });
  }),
};

/**
 * The tenant of a legacy import: named, new with an owner login (`--new-tenant`), or the
 * default one. A new tenant and its owner are created by the import's own transaction, so
 * an import that fails (a corrupt file) or a dry run leaves neither behind.
 */
async function chooseTenant(db: Database, config: Config, choice: { ref?: string; newUsername?: string; email?: string }): Promise<{ tenant: LegacyImportOptions['tenant']; ownerPassword?: string }> {
  if (choice.ref) return { tenant: { id: (await resolveTenant(db, choice.ref)).id } };
  if (choice.newUsername) {
    const email = choice.email ?? `${choice.newUsername}@example.invalid`;
    await assertLoginFree(db, choice.newUsername, email);
    const ownerPassword = randomBytes(15).toString('base64url');
    const passwordHash = await new PasswordHasher(1).hash(ownerPassword);
    const owner = { username: choice.newUsername, email, passwordHash };
    return { tenant: { id: randomUUID(), createIfMissing: { name: choice.newUsername, trialDays: config.TRIAL_DAYS, owner } }, ownerPassword };
  }
  const existing = await findDefaultTenant(db);
  return { tenant: existing ? { id: existing.id } : { id: DefaultTenantId, createIfMissing: { name: DefaultTenantName, trialDays: config.TRIAL_DAYS } } };
}

/**
 * The portability commands, for `src/main.ts`'s `commands` record:
 * `backup`, `restore`, `tenant` (export | import | delete) and `import-sqlite`.
 */
export const portabilityCommands: Record<string, CliCommand> = { backup, restore, tenant, 'import-sqlite': importSqlite };
