/** A row set as both drivers return it. */
export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

/** Anything that runs parameterised SQL: a pooled client, a PGlite transaction. */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>>;
}

declare const tenantScoped: unique symbol;

/**
 * A transaction running as the application role with `app.tenant_id` set. Only
 * {@link Database.withTenant} makes one, so a repository that takes a `TenantTx` cannot be
 * called outside a tenant's scope, and RLS limits every statement to that tenant.
 */
export interface TenantTx extends Queryable {
  readonly tenantId: string;
  readonly [tenantScoped]: true;
  /**
   * Queues a write nobody reads back in this transaction; it is sent with the next query
   * or before the commit, together with other queued writes (see `deferred-writes.ts`).
   */
  queryLater(sql: string, params: readonly unknown[]): void;
}

/** A transaction as the application role with no tenant set: sees no tenant rows at all. */
export interface UnscopedTx extends Queryable {
  readonly unscoped: true;
}

/** A connection as the schema owner; used by migrations, backups and test helpers only. */
export interface OwnerTx extends Queryable {
  /** Runs a multi-statement SQL script (a migration file). */
  exec(script: string): Promise<void>;
}

/** The data plane as the rest of Kovan sees it, whatever the driver. */
export interface Database {
  readonly kind: 'postgres' | 'pglite';
  /**
   * Runs `fn` in one transaction as the app role, scoped to `tenantId` by RLS. With
   * `snapshot`, the transaction is read-only and every statement sees the same point in
   * time (REPEATABLE READ): for exports that read many tables of a busy tenant.
   */
  withTenant<T>(tenantId: string, fn: (tx: TenantTx) => Promise<T>, options?: { snapshot?: boolean }): Promise<T>;
  /**
   * Runs `fn` as the app role with no tenant: it can call the narrow cross-tenant
   * functions (login lookup, session lookup, …) and read control-plane tables, nothing else.
   */
  withoutTenant<T>(fn: (tx: UnscopedTx) => Promise<T>): Promise<T>;
  /**
   * One read-only statement as the app role with no tenant, in the fewest round trips the
   * driver allows (PostgreSQL: a single autocommit query). For the hot cross-tenant lookups.
   */
  readWithoutTenant<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs `fn` in one transaction as the schema owner. Not for request handling. */
  withOwner<T>(fn: (tx: OwnerTx) => Promise<T>): Promise<T>;
  /** True when the database answers; backs `/readyz`. */
  ping(): Promise<boolean>;
  /** Connection counts for metrics. */
  poolStats(): { total: number; idle: number; waiting: number };
  /**
   * A lock held for as long as this process lives, for peers to see that it does: a
   * session-level advisory lock (`classId`, `key`) on a connection of its own, which
   * PostgreSQL releases the moment the process dies (kill -9 included). `'taken'` when
   * another process holds that key; `undefined` on a single-process database (PGlite), where
   * no peer could look. `onLost` runs if the connection ends before `release`.
   */
  holdProcessLock(classId: number, key: number, onLost: (error?: Error) => void): Promise<ProcessLock | 'taken' | undefined>;
  close(): Promise<void>;
}

/** A held process lock (see `Database.holdProcessLock`). */
export interface ProcessLock {
  release(): Promise<void>;
}

/** The role the application runs as: owns nothing, cannot bypass RLS. */
export const AppRole = 'kovan_app';
