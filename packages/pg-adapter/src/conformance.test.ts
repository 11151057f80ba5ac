import { createContext } from '@contextlog/core';
import { checkEngine, checkStalledAppend, fuzzRuns, type MakeStore } from '@contextlog/testkit';
import { checkStore } from '@contextlog/testkit/vitest';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pgPoolClient } from './client/pool-client.js';
import { migrate, type PayloadColumn } from './schema/migrate.js';
import { openPgStore } from './store/pg-store.js';
import { BACKENDS, openTestDb, PG_URL, type TestDb } from './testing/backends.js';
import { type SilentProxy, startSilentProxy } from './testing/silent-proxy.js';

// Short, so a reply the network drops settles in about two seconds.
const PROBE_MS = 200;
const SETTLE_MS = 1500;
// The store's bound (README: about 2 × replyProbeMs + settleTimeoutMs) and a margin for a
// loaded machine running other test files at once.
const STALL_SETTLES_WITHIN_MS = 2 * PROBE_MS + SETTLE_MS + 600;

// The testkit's conformance suites on PGlite always, and on a real server when
// CONTEXTLOG_PG_URL is set; both payload column kinds.
describe.each(BACKENDS)('conformance on %s', (kind) => {
  let db: TestDb;
  const tables = new Map<PayloadColumn, string>();

  beforeAll(async () => {
    db = await openTestDb(kind);
    for (const payload of ['json', 'text'] as const) {
      const table = db.table(payload);
      await migrate(db.client, { table, payload });
      tables.set(payload, table);
    }
  });
  afterAll(async () => {
    await db?.close();
  });

  const makeStore =
    (payload: PayloadColumn, preparedStatements = true): MakeStore =>
    async (id) => {
      const options = {
        client: db.client,
        sessionId: id,
        table: tables.get(payload) ?? '',
        preparedStatements,
      };
      const open = () => openPgStore(options);
      // openAnother: a second store on the same session races the first (two writers).
      return { store: await openPgStore(options), reopen: open, openAnother: open };
    };

  // Per test, a proxy that can drop replies and a pool behind it (one per replyProbeMs): the
  // stores of a test share them, as they share `db.client` above, and they end with the test.
  const proxied = new Map<number, Promise<{ proxy: SilentProxy; pool: pg.Pool }>>();
  const behind = (replyProbeMs: number) => {
    let opening = proxied.get(replyProbeMs);
    if (opening === undefined) {
      opening = startSilentProxy(PG_URL as string).then((proxy) => {
        const pool = new pg.Pool({ connectionString: proxy.url, max: 4 });
        pool.on('error', () => {});
        return { proxy, pool };
      });
      proxied.set(replyProbeMs, opening);
    }
    return opening;
  };
  afterEach(async () => {
    const opened = await Promise.all(proxied.values());
    proxied.clear();
    for (const { proxy, pool } of opened) {
      // The proxy first: closing it ends the pool's connections, a silenced one too.
      await proxy.close();
      await pool.end();
    }
  });

  /**
   * As `makeStore`, on a real server through the test's proxy, so the stall hook can silence
   * the next append. With `replyProbeMs` 0 the store cannot notice a lost reply: the
   * stalled-append check must then fail.
   */
  const behindProxy =
    (payload: PayloadColumn, replyProbeMs: number): MakeStore =>
    async (id) => {
      const { proxy, pool } = await behind(replyProbeMs);
      const options = {
        client: pgPoolClient(pool, { replyProbeMs }),
        sessionId: id,
        table: tables.get(payload) ?? '',
        settleTimeoutMs: SETTLE_MS,
      };
      const open = () => openPgStore(options);
      return {
        store: await openPgStore(options),
        reopen: open,
        openAnother: open,
        stall: {
          // The append's statement reaches the server and commits; its reply never comes back,
          // and the connection stays open, as when a NAT forgets it.
          stallNextWrite: () => {
            void proxy.silenceAfter('INSERT INTO', 'that connection');
          },
          settleWithinMs: STALL_SETTLES_WITHIN_MS,
        },
      };
    };

  for (const payload of ['json', 'text'] as const) {
    // PGlite runs in this process: no reply of it can be lost, so its store has no stall hook.
    checkStore(
      `PostgreSQL store (${kind}, ${payload} payload)`,
      kind === 'postgres' ? behindProxy(payload, PROBE_MS) : makeStore(payload),
    );

    it(`core's engine on the PostgreSQL store passes checkEngine (${payload} payload)`, async () => {
      await checkEngine((store) => createContext(store), {
        makeStore: makeStore(payload),
        numRuns: fuzzRuns(50),
      });
    });
  }

  // Unnamed statements, as for a pooler in transaction mode: the same store otherwise.
  checkStore(`PostgreSQL store (${kind}, unnamed statements)`, makeStore('json', false));

  it('the stalled-append check fails on the PostgreSQL store without the reply probe', async (context) => {
    if (kind === 'pglite') {
      context.skip('PGlite runs in this process: no reply of it can be lost');
      return;
    }
    await expect(checkStalledAppend(behindProxy('json', 0))).rejects.toThrow(
      /an append whose write never got a reply .* was still pending after \d+ ms/,
    );
  }, 30_000);
});
