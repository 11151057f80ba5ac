// Test support (not part of the public API): a client whose dedicated connections pass every
// statement through a hook, to count statements or fail them on purpose.
import type { PgClient, PgConnection, PgQueryOptions } from '../client/types.js';

export interface Interception {
  /** Runs a statement sent on a dedicated connection: call `run()` to send it for real. */
  query(sql: string, run: () => Promise<unknown>, options?: PgQueryOptions): Promise<unknown>;
  /** Runs a connection's `fence()` (default: as is). */
  fence?(run: () => Promise<void>): Promise<void>;
}

/** `inner`, with the statements of its dedicated connections going through `hooks`. */
export function interceptConnections(inner: PgClient, hooks: Interception): PgClient {
  return {
    kind: inner.kind,
    query: (sql, params, options) => inner.query(sql, params, options),
    listen: (...args) => inner.listen(...args),
    end: () => inner.end(),
    async connect(): Promise<PgConnection> {
      const connection = await inner.connect();
      return {
        release: (broken) => connection.release(broken),
        fence: () =>
          hooks.fence === undefined ? connection.fence() : hooks.fence(() => connection.fence()),
        query: <R extends object>(
          sql: string,
          params?: readonly unknown[],
          options?: PgQueryOptions,
        ) =>
          hooks.query(sql, () => connection.query<R>(sql, params, options), options) as Promise<{
            rows: R[];
          }>,
      };
    },
  };
}
