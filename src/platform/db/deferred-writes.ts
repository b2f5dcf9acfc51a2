import type { Queryable, QueryResult, TenantTx } from './types.js';

interface Write {
  sql: string;
  params: readonly unknown[];
}

/**
 * Writes whose result nobody reads in the transaction (an update's history row, its
 * counter increments) can wait and travel together: each round trip costs the API and
 * PostgreSQL more CPU than the statement itself (see docs/BENCHMARKS.md, webhook ingest).
 * A queued write is sent before the transaction's next query and before its commit, so
 * statements still reach the database in the order the code issued them; two or more
 * queued writes go as one statement, each a data-modifying CTE. The same snapshot serves
 * all of them, so writes queued together must not read each other's effects or touch the
 * same rows, and a failing one fails the next query or the commit, not its own call.
 */
export interface DeferredWrites {
  /** Queues a write (INSERT/UPDATE/DELETE without RETURNING) for the next round trip. */
  queryLater(sql: string, params: readonly unknown[]): void;
  /** Sends what is queued, if anything (the transaction runner calls it before COMMIT). */
  flushWrites(): Promise<void>;
}

/** `inner` with writes deferred as described on {@link DeferredWrites}. */
export function withDeferredWrites<Q extends Queryable>(inner: Q): Omit<Q, 'query'> & Queryable & DeferredWrites {
  let queued: Write[] = [];
  const run = inner.query.bind(inner);
  const flushWrites = async () => {
    if (queued.length === 0) return;
    const batch = combine(queued);
    queued = [];
    await run(batch.sql, batch.params);
  };
  return Object.assign(inner, {
    async query<T>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
      await flushWrites();
      return run<T>(sql, params);
    },
    queryLater(sql: string, params: readonly unknown[]) { queued.push({ sql, params }); },
    flushWrites,
  });
}

/** One statement for the writes: each its own CTE, its `$n` placeholders renumbered after the ones before it. */
function combine(writes: readonly Write[]): Write {
  if (writes.length === 1) return writes[0]!;
  const params: unknown[] = [];
  const parts = writes.map((write, i) => {
    const offset = params.length;
    params.push(...write.params);
    return `w${i} AS (${write.sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`)})`;
  });
  return { sql: `WITH ${parts.join(',\n')}\nSELECT 1`, params };
}

/** Runs a tenant transaction's body with deferred writes, and sends the last of them before the caller commits. */
export async function runTenantTx<T>(tx: Queryable & { tenantId: string }, fn: (tx: TenantTx) => Promise<T>): Promise<T> {
  const deferring = withDeferredWrites(tx);
  const result = await fn(deferring as unknown as TenantTx);
  await deferring.flushWrites();
  return result;
}
