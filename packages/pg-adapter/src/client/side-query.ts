import { ContextlogError } from '@contextlog/core';
import { loadPg } from './drivers.js';
import type { PgPoolLike } from './pool-client.js';

/** No answer came in time: the connection it was sent on has been destroyed. */
export class NoAnswerError extends ContextlogError {
  readonly code = 'PG_NO_ANSWER';
}

/** One statement, answered within `timeoutMs` or rejected with `NoAnswerError`. */
export type SideQuery = (
  sql: string,
  params: readonly unknown[],
  timeoutMs: number,
) => Promise<unknown[]>;

/**
 * Statements that check on another connection (is that server process still working? has it
 * ended?), each on a connection of its own, opened for it and closed after: a pooled connection
 * may be the next one the network dropped, and a pool whose connections are all busy would make
 * the check wait for them. On a `pg` Pool the connection is opened with the pool's own settings
 * (`pool.options`, as the pool does); on any other pool it is checked out of the pool. Either
 * way a check that gets no answer in time destroys its connection: nothing waits for ever.
 */
export function sideQueries(pool: PgPoolLike): SideQuery {
  return async (sql, params, timeoutMs) => {
    // Read when needed: a pool made on first use (`createPgClient`) has no settings before.
    const settings = pool.options;
    let destroy = (): void => {};
    let abandoned = false;
    let timer: NodeJS.Timeout | undefined;
    const silence = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abandoned = true;
        destroy();
        reject(new NoAnswerError(`no answer from the server within ${timeoutMs} ms`));
      }, timeoutMs);
    });
    const run = async (): Promise<unknown[]> => {
      if (settings !== undefined) {
        const config = { ...settings, connectionTimeoutMillis: timeoutMs };
        // The pool keeps the password out of its enumerable settings (so logs do not show it).
        if ('password' in settings) {
          Object.defineProperty(config, 'password', {
            value: settings.password,
            enumerable: false,
          });
        }
        const { Client } = await loadPg();
        if (abandoned) return [];
        const client = new Client(config);
        client.on('error', () => {});
        // With a statement outstanding, end() destroys the socket rather than wait on it.
        destroy = () => void client.end().catch(() => {});
        try {
          await client.connect();
          if (abandoned) return [];
          return (await client.query(sql, [...params])).rows;
        } finally {
          if (!abandoned) destroy();
        }
      }
      const client = await pool.connect();
      if (abandoned) {
        client.release(true);
        return [];
      }
      let broken = false;
      destroy = () => {
        broken = true;
        client.release(true);
      };
      try {
        return (await client.query(sql, [...params])).rows;
      } catch (error) {
        broken = true;
        throw error;
      } finally {
        if (!abandoned) client.release(broken);
      }
    };
    try {
      return await Promise.race([run(), silence]);
    } finally {
      clearTimeout(timer);
    }
  };
}
