import { createContext } from '@contextlog/core';
import { checkEngine, fuzzRuns, type MakeStore } from '@contextlog/testkit';
import { checkStore } from '@contextlog/testkit/vitest';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { migrate, type PayloadColumn } from './schema/migrate.js';
import { createPgStore } from './store/pg-store.js';
import { BACKENDS, openTestDb, type TestDb } from './testing/backends.js';

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
    (payload: PayloadColumn): MakeStore =>
    async (id) => {
      const options = { client: db.client, sessionId: id, table: tables.get(payload) ?? '' };
      const open = async () => createPgStore(options);
      // openAnother: a second store on the same session races the first (two writers). No
      // stall hook yet: a reply that never comes needs a connection that can be silenced.
      return { store: createPgStore(options), reopen: open, openAnother: open };
    };

  for (const payload of ['json', 'text'] as const) {
    checkStore(`PostgreSQL store (${kind}, ${payload} payload)`, makeStore(payload));

    it(`core's engine on the PostgreSQL store passes checkEngine (${payload} payload)`, async () => {
      await checkEngine((store) => createContext(store), {
        makeStore: makeStore(payload),
        numRuns: fuzzRuns(50),
      });
    });
  }
});
