import { StoreClosedError } from '@contextlog/core';
import { createSerializer } from '@contextlog/core/store';
import { loadPglite } from './drivers.js';
import type { PgClient, PgConnection, PgRows } from './types.js';

/** What `pgliteClient` needs of a PGlite instance (`PGlite.create()` gives one). */
export interface PgliteLike {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  listen(channel: string, callback: (payload: string) => void): Promise<() => Promise<void>>;
}

/**
 * A `PgClient` on PGlite (PostgreSQL in WASM, in this process). PGlite has one connection, so
 * a transaction holds the whole instance: every call of this client is serialized, and nothing
 * else should use the instance while contextlog runs a transaction on it (only `importEvents`
 * does). Statements run in this process, so a commit's outcome is never unknown.
 */
export function pgliteClient(db: PgliteLike): PgClient {
  // Never closed: `end()` belongs to whoever made the instance.
  const serializer = createSerializer({ closedError: () => new StoreClosedError() });
  const run = async <R>(
    sql: string,
    params: readonly unknown[] | undefined,
  ): Promise<PgRows<R>> => {
    const result = await db.query<R>(sql, params === undefined ? undefined : [...params]);
    return { rows: result.rows };
  };

  return {
    kind: 'pglite',
    query: <R extends object>(sql: string, params?: readonly unknown[]) =>
      serializer.run(() => run<R>(sql, params)),
    async connect(): Promise<PgConnection> {
      const release = await serializer.acquire();
      return {
        query: <R extends object>(sql: string, params?: readonly unknown[]) => run<R>(sql, params),
        release,
        fence: async () => {},
      };
    },
    async listen(channel, onNotify) {
      const unlisten = await serializer.run(() => db.listen(channel, onNotify));
      return () => serializer.run(unlisten);
    },
    async end() {},
  };
}

/**
 * A `PgClient` on a new PGlite instance (in memory, or in `dataDir`); `end()` closes it. PGlite
 * is loaded only when this is called, so users of a real server never load its WASM (nor need it
 * installed: without it this rejects with `DriverMissingError`).
 */
export async function createPgliteClient(dataDir?: string): Promise<PgClient> {
  const { PGlite } = await loadPglite();
  const db = dataDir === undefined ? await PGlite.create() : await PGlite.create(dataDir);
  return { ...pgliteClient(db), end: () => db.close() };
}
