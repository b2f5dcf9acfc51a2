/**
 * Portability: whole-database backup and restore, tenant archives (export, import, delete)
 * and the import of the old bot's SQLite database. docs/PORTABILITY.md specifies the
 * formats and rules.
 */
export { portabilityRoutes } from './routes.js';
export { portabilityCommands, type CliCommand } from './cli.js';
export { backupDatabase } from './backup.js';
export { restoreDatabase, type RestoreReport } from './restore.js';
export { databaseLocation, type BackupManifest, type DatabaseLocation } from './backup-format.js';
export { exportTenant, stageTenantArchive, type ExportSecrets, type StagedArchive } from './tenant-export.js';
export { importTenant, type TenantImportReport } from './tenant-import.js';
export { deleteTenant, describeTenantData, type TenantData } from './tenant-delete.js';
// The legacy importer itself is loaded on demand by `kovan import-sqlite` (native SQLite driver).
export type { LegacyImportOptions } from './legacy-import/import-sqlite.js';
export { renderReport, type LegacyImportReport } from './legacy-import/report.js';
