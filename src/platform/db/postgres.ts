import { createHash } from 'node:crypto';
import pg from 'pg';
import { runTenantTx } from './deferred-writes.js';
import { scopeToNoTenant, assertTenantId } from './session-setup.js';
import { asDatabaseUnavailable, connectTimeoutMs } from './unreachable.js';
import { AppRole, type Database, type OwnerTx, type ProcessLock, type Queryable, type TenantTx, type UnscopedTx } from './types.js';

// BIGINT (Telegram ids, counts) as JS numbers: every value Kovan stores fits in 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

export interface PostgresOptions {
  ownerUrl: string;
  appUrl?: string;
  poolSize: number;
}

/** Derives the app role's URL from the owner's when no separate one is configured. */
export function appUrlFor(ownerUrl: string): string {
  const url = new URL(ownerUrl);
  url.username = AppRole;
  url.password = '';
  return url.toString();
}

/**
 * Real PostgreSQL: one pool as the app role for all request and worker work, and a small
 * owner pool for migrations and tests. The app pool connects as `kovan_app`, so even a
 * bug that skips `withTenant` cannot read past RLS.
 */
export class PostgresDatabase implements Database {
  readonly kind = 'postgres' as const;
  readonly #app: pg.Pool;
  readonly #owner: pg.Pool;
  readonly #appUrl: string;

  constructor(options: PostgresOptions) {
    // A bounded wait for a connection: with the server down or every connection busy, a
    // request answers 503 (dependency_unavailable) within seconds instead of queueing forever.
    // Keepalive notices a server that vanished without closing the socket.
    const common = { connectionTimeoutMillis: connectTimeoutMs, keepAlive: true };
    this.#appUrl = options.appUrl ?? appUrlFor(options.ownerUrl);
    this.#app = new pg.Pool({ ...common, connectionString: this.#appUrl, max: options.poolSize });
    this.#owner = new pg.Pool({ ...common, connectionString: options.ownerUrl, max: 2 });
    // An idle client's error (server restart) must not crash the process; the pool replaces it.
    this.#app.on('error', () => {});
    this.#owner.on('error', () => {});
  }

  withTenant<T>(tenantId: string, fn: (tx: TenantTx) => Promise<T>, options: { snapshot?: boolean } = {}): Promise<T> {
    assertTenantId(tenantId);
    // BEGIN and the tenant scope in one round trip (a simple-protocol batch): every tenant
    // transaction pays it. The id is a checked UUID, so it is safe to inline.
    const begin = options.snapshot ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : 'BEGIN';
    return this.#transaction(this.#app, (client) => runTenantTx(Object.assign(wrap(client), { tenantId }), fn),
      `${begin}; SELECT set_config('app.tenant_id', '${tenantId}', true)`);
  }

  withoutTenant<T>(fn: (tx: UnscopedTx) => Promise<T>): Promise<T> {
    return this.#transaction(this.#app, async (client) => {
      await scopeToNoTenant(client);
      return fn(Object.assign(wrap(client), { unscoped: true as const }));
    });
  }

  async readWithoutTenant<T>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    // The app pool's connections never hold a tenant outside a transaction (set_config is
    // transaction-local), so an autocommit statement runs with no tenant.
    try {
      return (await this.#app.query(sql, params as unknown[] | undefined)).rows as T[];
    } catch (error) {
      throw asDatabaseUnavailable(error);
    }
  }

  withOwner<T>(fn: (tx: OwnerTx) => Promise<T>): Promise<T> {
    return this.#transaction(this.#owner, async (client) =>
      fn(Object.assign(wrap(client), { exec: async (script: string) => { await client.query(script); } })),
    );
  }

  async ping(): Promise<boolean> {
    try {
      await this.#app.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  poolStats() {
    return { total: this.#app.totalCount, idle: this.#app.idleCount, waiting: this.#app.waitingCount };
  }

  async holdProcessLock(classId: number, key: number, onLost: (error?: Error) => void): Promise<ProcessLock | 'taken'> {
    // Its own connection, outside the pool: the lock lives exactly as long as this socket.
    // Keep-alive lets the server notice a vanished host too, not only a dead process.
    const client = new pg.Client({ connectionString: this.#appUrl, keepAlive: true });
    let holding = false;
    const lost = (error?: Error) => {
      if (!holding) return;
      holding = false;
      onLost(error);
    };
    client.on('error', lost);
    client.on('end', () => lost());
    await client.connect();
    const { rows } = await client.query<{ held: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS held', [classId, key]);
    if (!rows[0]?.held) {
      await client.end();
      return 'taken';
    }
    holding = true;
    return {
      async release() {
        holding = false;
        await client.end().catch(() => {});
      },
    };
  }

  async close(): Promise<void> {
    await Promise.all([this.#app.end(), this.#owner.end()]);
  }

  async #transaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
    const client = await pool.connect().catch((error: unknown) => { throw asDatabaseUnavailable(error); });
    let broken: unknown;
    try {
      await client.query(begin);
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => { broken = rollbackError; });
      throw asDatabaseUnavailable(error);
    } finally {
      // A connection that failed even to roll back is discarded, not handed to the next request.
      client.release(broken instanceof Error ? broken : undefined);
    }
  }
}

function wrap(client: pg.PoolClient): Queryable {
  return {
    async query<T>(sql: string, params?: readonly unknown[]) {
      const r = params && params.length > 0
        ? await client.query({ name: statementName(sql), text: sql, values: params as unknown[] })
        : await client.query(sql);
      return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
    },
  };
}

const statementNames = new Map<string, string>();

/**
 * A name per distinct SQL text, so each connection parses and plans a statement once and
 * then only binds and executes it (pg prepares named statements per connection). The
 * texts come from the code, so there are a few hundred at most; statements without
 * parameters (scripts, several statements at once) keep the simple protocol.
 */
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (!name) {
    name = `k${createHash('sha1').update(sql).digest('base64url').slice(0, 20)}`;
    statementNames.set(sql, name);
  }
  return name;
}
