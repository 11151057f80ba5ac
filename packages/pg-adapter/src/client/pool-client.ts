import { setTimeout as sleep } from 'node:timers/promises';
import { codeOf, ValidationError } from '@contextlog/core';
import { ConnectionLostError, PgFenceTimeoutError } from '../errors.js';
import { loadPg, type PgDriverPool } from './drivers.js';
import { awaitReply, type Backend } from './reply-watch.js';
import { sideQueries } from './side-query.js';
import type { PgClient, PgConnection, PgQueryOptions, PgRows } from './types.js';

/** A named statement, as `pg` takes it (`PgQueryOptions.name`). */
export interface PgNamedQuery {
  readonly name: string;
  readonly text: string;
  readonly values?: unknown[] | undefined;
}

/** What `pgPoolClient` needs of a `pg` Pool's checked-out client. */
export interface PgPoolClientLike {
  query(sql: string | PgNamedQuery, params?: unknown[]): Promise<{ rows: unknown[] }>;
  /** The server process's pid, as `pg` learns it when connecting. */
  readonly processID?: number | null;
  release(destroy?: boolean): void;
  // One overload per event, twice: a generic `on<E>` would not accept pg's own generic client.
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  on(
    event: 'notification',
    listener: (message: { channel: string; payload?: string | undefined }) => void,
  ): unknown;
  removeListener(event: 'error', listener: (error: Error) => void): unknown;
  removeListener(event: 'end', listener: () => void): unknown;
  removeListener(
    event: 'notification',
    listener: (message: { channel: string; payload?: string | undefined }) => void,
  ): unknown;
}

/** What `pgPoolClient` needs of a `pg` Pool. */
export interface PgPoolLike {
  connect(): Promise<PgPoolClientLike>;
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
  end(): Promise<void>;
  /**
   * A `pg` Pool's settings (a `pg` ClientConfig): checks on another connection open theirs with
   * them. Typed by shape so that these declarations do not need `pg`'s types.
   */
  readonly options?: PgConnectionSettings | undefined;
}

/** A `pg` ClientConfig, by the one setting side queries read; the rest is passed on as is. */
export interface PgConnectionSettings {
  readonly password?: unknown;
}

export interface PgPoolClientOptions {
  /** `end()` also ends the pool (default false: the pool belongs to the caller). */
  readonly ownsPool?: boolean;
  /** How long `fence()` may wait for a lost connection's server process to end (default 30 s). */
  readonly fenceTimeoutMs?: number;
  /**
   * While a statement's reply is outstanding, how often another connection checks that the
   * server process is still working on it (default 5000 ms; 0 turns the check off). A statement
   * that runs is never cut, however long; one whose process is done (or gone) while its reply
   * has not come, or a server that does not answer the check within this time either, makes the
   * statement fail with `ConnectionLostError`, as if the connection had died.
   */
  readonly replyProbeMs?: number;
}

export const DEFAULT_REPLY_PROBE_MS = 5000;

/**
 * An ERROR from the server rolled the statement's transaction back; anything else (a FATAL, a
 * socket error, a client that is no longer queryable) may have come after the commit.
 */
function isDefiniteFailure(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { severity?: unknown }).severity === 'ERROR'
  );
}

/** A `PgClient` on a `pg` Pool: reads on any pooled connection, writes settled by `fence()`. */
export function pgPoolClient(pool: PgPoolLike, options: PgPoolClientOptions = {}): PgClient {
  const fenceTimeoutMs = options.fenceTimeoutMs ?? 30_000;
  const replyProbeMs = options.replyProbeMs ?? DEFAULT_REPLY_PROBE_MS;
  if (!Number.isFinite(replyProbeMs) || replyProbeMs < 0) {
    throw new ValidationError(
      `replyProbeMs: expected 0 or more milliseconds, got ${replyProbeMs}`,
      'replyProbeMs',
    );
  }
  // The server process behind each pooled connection, so a lost one can be fenced off.
  const backends = new WeakMap<PgPoolClientLike, Required<Backend>>();
  const side = sideQueries(pool);
  // A check that gets no answer in this time is given up, and its connection with it.
  const sideTimeoutMs = replyProbeMs > 0 ? replyProbeMs : DEFAULT_REPLY_PROBE_MS;

  const fence = async (backend: Required<Backend> | undefined): Promise<void> => {
    if (backend === undefined) throw new Error('the lost connection never told its backend pid');
    const deadline = Date.now() + fenceTimeoutMs;
    let mayTerminate = true;
    let lastError: unknown;
    for (;;) {
      try {
        // Ending the old server process (if it still runs) means whatever it was doing either
        // committed already or never will; it is gone once pg_stat_activity no longer lists it.
        const sql = mayTerminate
          ? 'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = $1 AND backend_start::text = $2'
          : 'SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND backend_start::text = $2';
        const timeout = Math.max(1, Math.min(sideTimeoutMs, deadline - Date.now()));
        const rows = await side(sql, [backend.pid, backend.start], timeout);
        if (rows.length === 0) return;
      } catch (error) {
        lastError = error;
        // Not allowed to end another role's process: wait for it to end by itself.
        if (codeOf(error) === '42501') mayTerminate = false;
      }
      if (Date.now() > deadline) {
        throw new PgFenceTimeoutError(backend.pid, fenceTimeoutMs, { cause: lastError });
      }
      await sleep(20);
    }
  };

  const connect = async (): Promise<PgConnection> => {
    // Nothing is sent before a connection exists: a failure to connect is a plain failure.
    const client = await pool.connect();
    let lost: unknown;
    // A checked-out pg client emits 'error' when its socket dies; unhandled, that would crash
    // the process.
    const onError = (error: Error) => {
      lost ??= error;
    };
    client.on('error', onError);
    let released = false;
    const release = (broken = false) => {
      if (released) return;
      released = true;
      client.removeListener('error', onError);
      client.release(broken || lost !== undefined);
    };
    const backend = (): Backend | undefined =>
      backends.get(client) ??
      (typeof client.processID === 'number' ? { pid: client.processID } : undefined);
    const send = async <R>(
      sql: string,
      params?: readonly unknown[],
      options?: PgQueryOptions,
    ): Promise<PgRows<R>> => {
      const values = params === undefined ? undefined : [...params];
      try {
        const result = await awaitReply(
          options?.name === undefined
            ? client.query(sql, values)
            : client.query({ name: options.name, text: sql, values }),
          {
            probeMs: replyProbeMs,
            backend,
            side,
            // The reply is not coming: close the connection (pg destroys the socket of a client
            // ended with a statement outstanding), so nothing more is read from it.
            onLost: (reason) => {
              lost ??= reason;
              release(true);
            },
          },
        );
        return { rows: result.rows as R[] };
      } catch (error) {
        if (isDefiniteFailure(error) && lost === undefined) throw error;
        lost ??= error;
        throw new ConnectionLostError(error);
      }
    };
    if (!backends.has(client)) {
      try {
        const { rows } = await send<Required<Backend>>(
          'SELECT pg_backend_pid() AS pid, (SELECT backend_start::text FROM pg_stat_activity WHERE pid = pg_backend_pid()) AS start',
        );
        const row = rows[0] as Required<Backend>;
        backends.set(client, { pid: row.pid, start: row.start });
      } catch (error) {
        release(true);
        throw error;
      }
    }
    return {
      query: send,
      release,
      fence: () => fence(backends.get(client)),
    };
  };

  return {
    kind: 'pg',
    // On a connection of the pool, as pool.query would, but with the reply watched like any
    // other: a read whose reply the network dropped must not wait for ever either.
    async query<R extends object>(
      sql: string,
      params?: readonly unknown[],
      queryOptions?: PgQueryOptions,
    ) {
      const connection = await connect();
      try {
        return await connection.query<R>(sql, params, queryOptions);
      } finally {
        connection.release();
      }
    },
    connect,
    async listen(channel, onNotify, onError) {
      const client = await pool.connect();
      let failed = false;
      let detached = false;
      const fail = (error: unknown) => {
        if (failed) return;
        failed = true;
        // Give the dead connection back at once, or the pool counts it as busy for ever.
        detach(true);
        onError(error);
      };
      const onNotification = (message: { channel: string; payload?: string | undefined }) => {
        if (message.channel === channel) onNotify(message.payload ?? '');
      };
      const onClientError = (error: Error) => fail(new ConnectionLostError(error));
      const onEnd = () =>
        fail(new ConnectionLostError(new Error('the listening connection ended')));
      client.on('notification', onNotification);
      client.on('error', onClientError);
      client.on('end', onEnd);
      const detach = (broken: boolean) => {
        if (detached) return;
        detached = true;
        client.removeListener('notification', onNotification);
        client.removeListener('error', onClientError);
        client.removeListener('end', onEnd);
        client.release(broken);
      };
      try {
        await client.query(`LISTEN ${channel}`);
      } catch (error) {
        detach(true);
        throw error;
      }
      let done = false;
      return async () => {
        if (done) return;
        done = true;
        failed = true;
        // Closing the connection drops the LISTEN with it: no pooled connection keeps listening.
        detach(true);
      };
    },
    async end() {
      if (options.ownsPool === true) await pool.end();
    },
  };
}

/**
 * A `PgClient` on a new `pg` Pool for `url` (postgres://…); `end()` ends that pool. `pg` is
 * loaded on the first query, so a missing `pg` package surfaces there as `DriverMissingError`.
 */
export function createPgClient(
  url: string,
  poolOptions: { readonly max?: number; readonly replyProbeMs?: number } = {},
): PgClient {
  let made: Promise<PgDriverPool> | undefined;
  let pool: PgDriverPool | undefined;
  const open = (): Promise<PgDriverPool> => {
    made ??= loadPg().then(({ Pool }) => {
      pool = new Pool({ connectionString: url, max: poolOptions.max ?? 10 });
      // Idle connections that die (server restart, pg_terminate_backend) are dropped by the
      // pool; without a listener their 'error' would crash the process.
      pool.on('error', () => {});
      return pool;
    });
    return made;
  };
  const lazy: PgPoolLike = {
    connect: async () => (await open()).connect(),
    query: async (sql, params) => (await open()).query(sql, params),
    async end() {
      // A pool that was never made (nothing queried, or no `pg`) has nothing to end.
      const settled = await made?.catch(() => undefined);
      await settled?.end();
    },
    get options() {
      return pool?.options;
    },
  };
  return pgPoolClient(lazy, {
    ownsPool: true,
    ...(poolOptions.replyProbeMs === undefined ? {} : { replyProbeMs: poolOptions.replyProbeMs }),
  });
}
