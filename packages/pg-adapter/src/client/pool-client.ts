import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { ConnectionLostError } from '../errors.js';
import type { PgClient, PgConnection, PgRows } from './types.js';

/** What `pgPoolClient` needs of a `pg` Pool's checked-out client. */
export interface PgPoolClientLike {
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
  release(destroy?: boolean): void;
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
}

export interface PgPoolClientOptions {
  /** `end()` also ends the pool (default false: the pool belongs to the caller). */
  readonly ownsPool?: boolean;
  /** How long `fence()` may wait for a lost connection's server process to end (default 30 s). */
  readonly fenceTimeoutMs?: number;
}

interface Backend {
  readonly pid: number;
  readonly start: string;
}

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
  // The server process behind each pooled connection, so a lost one can be fenced off.
  const backends = new WeakMap<PgPoolClientLike, Backend>();

  const fence = async (backend: Backend | undefined): Promise<void> => {
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
        const { rows } = await pool.query(sql, [backend.pid, backend.start]);
        if (rows.length === 0) return;
      } catch (error) {
        lastError = error;
        // Not allowed to end another role's process: wait for it to end by itself.
        if ((error as { code?: unknown }).code === '42501') mayTerminate = false;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `could not establish that server process ${backend.pid} ended within ${fenceTimeoutMs} ms`,
          { cause: lastError },
        );
      }
      await sleep(20);
    }
  };

  return {
    kind: 'pg',
    async query<R extends object>(sql: string, params?: readonly unknown[]) {
      const result = await pool.query(sql, params === undefined ? undefined : [...params]);
      return { rows: result.rows as R[] };
    },
    async connect(): Promise<PgConnection> {
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
      try {
        if (!backends.has(client)) {
          const { rows } = await client.query(
            'SELECT pg_backend_pid() AS pid, (SELECT backend_start::text FROM pg_stat_activity WHERE pid = pg_backend_pid()) AS start',
          );
          const row = rows[0] as { pid: number; start: string };
          backends.set(client, { pid: row.pid, start: row.start });
        }
      } catch (error) {
        release(true);
        throw isDefiniteFailure(error) ? error : new ConnectionLostError(error);
      }
      return {
        async query<R extends object>(
          sql: string,
          params?: readonly unknown[],
        ): Promise<PgRows<R>> {
          try {
            const result = await client.query(sql, params === undefined ? undefined : [...params]);
            return { rows: result.rows as R[] };
          } catch (error) {
            if (isDefiniteFailure(error) && lost === undefined) throw error;
            lost ??= error;
            throw new ConnectionLostError(error);
          }
        },
        release,
        fence: () => fence(backends.get(client)),
      };
    },
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

/** A `PgClient` on a new `pg` Pool for `url` (postgres://…); `end()` ends that pool. */
export function createPgClient(url: string, poolOptions: { readonly max?: number } = {}): PgClient {
  const pool = new pg.Pool({ connectionString: url, max: poolOptions.max ?? 10 });
  // Idle connections that die (server restart, pg_terminate_backend) are dropped by the pool;
  // without a listener their 'error' would crash the process.
  pool.on('error', () => {});
  return pgPoolClient(pool, { ownsPool: true });
}
