import { PGlite, types } from '@electric-sql/pglite';
import { runTenantTx } from './deferred-writes.js';
import { scopeToNoTenant, scopeToTenant, assertTenantId } from './session-setup.js';
import { AppRole, type Database, type OwnerTx, type Queryable, type TenantTx, type UnscopedTx } from './types.js';

/**
 * Embedded PostgreSQL (PGlite, Postgres compiled to WASM) for `npm start` and `npm test`
 * without a server. Same SQL, same RLS: its only login is a superuser, so every tenant
 * transaction switches to the app role with `SET LOCAL ROLE`. PGlite serves one
 * connection, so transactions are queued one at a time.
 */
export class PgliteDatabase implements Database {
  readonly kind = 'pglite' as const;
  readonly #db: PGlite;
  #queue: Promise<unknown> = Promise.resolve();
  #waiting = 0;

  private constructor(db: PGlite) {
    this.#db = db;
  }

  /** `dataDir` undefined → in memory (tests); a path → persisted on disk. */
  static async open(dataDir?: string): Promise<PgliteDatabase> {
    const db = new PGlite({
      dataDir,
      parsers: { [types.INT8]: (v: string) => Number(v), [types.NUMERIC]: (v: string) => Number(v) },
      serializers: { [types.INT8]: (v: unknown) => String(v) },
    });
    await db.waitReady;
    return new PgliteDatabase(db);
  }

  // `snapshot` needs nothing here: PGlite runs one transaction at a time, so nothing can
  // change between two statements of a transaction.
  withTenant<T>(tenantId: string, fn: (tx: TenantTx) => Promise<T>, _options?: { snapshot?: boolean }): Promise<T> {
    assertTenantId(tenantId);
    return this.#transaction(async (tx) => {
      await tx.query(`SET LOCAL ROLE ${AppRole}`);
      await scopeToTenant(tx, tenantId);
      return runTenantTx(Object.assign(tx, { tenantId }), fn);
    });
  }

  withoutTenant<T>(fn: (tx: UnscopedTx) => Promise<T>): Promise<T> {
    return this.#transaction(async (tx) => {
      await tx.query(`SET LOCAL ROLE ${AppRole}`);
      await scopeToNoTenant(tx);
      return fn(Object.assign(tx, { unscoped: true as const }));
    });
  }

  readWithoutTenant<T>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    // The only login is a superuser: the role switch needs a transaction here.
    return this.withoutTenant(async (tx) => (await tx.query<T>(sql, params)).rows);
  }

  withOwner<T>(fn: (tx: OwnerTx) => Promise<T>): Promise<T> {
    const db = this.#db;
    return this.#transaction((tx) => fn(Object.assign(tx, { exec: async (script: string) => { await db.exec(script); } })));
  }

  async ping(): Promise<boolean> {
    try {
      await this.#serialised(() => this.#db.query('SELECT 1'));
      return true;
    } catch {
      return false;
    }
  }

  poolStats() {
    return { total: 1, idle: this.#waiting === 0 ? 1 : 0, waiting: Math.max(0, this.#waiting - 1) };
  }

  /** One process holds the whole database: no peer could watch a liveness lock. */
  async holdProcessLock(): Promise<undefined> {
    return undefined;
  }

  async close(): Promise<void> {
    await this.#queue.catch(() => {});
    await this.#db.close();
  }

  #transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.#serialised(async () => {
      await this.#db.query('BEGIN');
      try {
        const result = await fn(this.#handle());
        await this.#db.query('COMMIT');
        return result;
      } catch (error) {
        await this.#db.query('ROLLBACK').catch(() => {});
        throw error;
      }
    });
  }

  #handle(): Queryable {
    const db = this.#db;
    return {
      async query<T>(sql: string, params?: readonly unknown[]) {
        const r = await db.query<T>(sql, params as unknown[] | undefined);
        return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
      },
    };
  }

  /** One transaction at a time: PGlite has a single session, so interleaving would mix them. */
  #serialised<T>(fn: () => Promise<T>): Promise<T> {
    this.#waiting++;
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => {}).finally(() => { this.#waiting--; });
    return run;
  }
}
