import type { Socket } from 'node:net';
import { createContext, hasCode, type StoredEvent, stateToJson } from '@contextlog/core';
import { foldEvents } from '@contextlog/core/store';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type PgNamedQuery,
  type PgPoolClientLike,
  type PgPoolLike,
  pgPoolClient,
} from '../client/pool-client.js';
import { migrate } from '../schema/migrate.js';
import { openTestDb, PG_URL, type TestDb } from '../testing/backends.js';
import { openPgStore } from './pg-store.js';

const PRODUCERS = 16;
const COMMANDS = 25;
const KILLS = 20;

// PGlite runs in this process and has one connection: there is no backend to terminate.
describe.skipIf(PG_URL === undefined)('terminating the backend mid-append (real server)', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb('postgres');
  });
  afterAll(async () => {
    await db?.close();
  });

  it('loses nothing acknowledged, stores nothing rejected, and the engine goes on', async () => {
    const table = db.table('victim');
    await migrate(db.client, { table });
    // A deferred constraint trigger runs inside COMMIT: sleeping there widens the window in
    // which a terminated backend is committing.
    const [schema, name] = table.split('.');
    await db.admin(`CREATE FUNCTION "${schema}".slow_commit() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN IF random() < 0.2 THEN PERFORM pg_sleep(0.002); END IF; RETURN NULL; END $$`);
    await db.admin(`CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT ON "${schema}"."${name}"
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "${schema}".slow_commit()`);

    const victim = db.newPool(4, 'contextlog-victim');
    const sessionId = 'terminated';
    const engine = await createContext(await openPgStore({ client: victim, sessionId, table }));
    const resolved: string[] = [];
    const rejected: string[] = [];
    const unexpected: unknown[] = [];
    const producing = Promise.all(
      Array.from({ length: PRODUCERS }, async (_, producer) => {
        for (let i = 0; i < COMMANDS; i++) {
          const text = `p${producer}-${i}`;
          try {
            await engine.appendMessages({ role: 'user', content: text });
            resolved.push(text);
          } catch (error) {
            // A lost connection whose batch did not land: the store said so after checking.
            if (!hasCode(error, 'PG_CONNECTION_LOST')) unexpected.push(error);
            rejected.push(text);
          }
        }
      }),
    );
    let kills = 0;
    let done = false;
    producing.finally(() => {
      done = true;
    });
    while (!done && kills < KILLS) {
      await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 40));
      const rows = await db.admin(
        `SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity
         WHERE application_name = 'contextlog-victim' AND state = 'active' AND pid <> pg_backend_pid()
         LIMIT 1`,
      );
      kills += rows.filter((row) => row.killed === true).length;
    }
    await producing;

    const stored: StoredEvent[] = [];
    for await (const event of (await openPgStore({ client: db.client, sessionId, table })).load()) {
      stored.push(event);
    }
    const storedTexts = stored.flatMap((event) =>
      event.type === 'messages.appended' ? event.data.messages.map((m) => m.content) : [],
    );
    expect(unexpected).toEqual([]);
    expect(kills).toBeGreaterThan(0);
    expect(resolved.length).toBeGreaterThan(0);
    expect(new Set(storedTexts).size).toBe(storedTexts.length);
    expect(new Set(storedTexts)).toEqual(new Set(resolved));
    expect(resolved.length + rejected.length).toBe(PRODUCERS * COMMANDS);
    expect(stored.map((event) => event.seq)).toEqual(stored.map((_, i) => i + 1));
    expect(stateToJson(foldEvents(stored))).toEqual(stateToJson(engine.state));
    expect(engine.stats().status).toBe('open');
    // The engine recovered: it still writes.
    await engine.appendMessages({ role: 'user', content: 'after' });
    expect(engine.state.messages.at(-1)?.content).toBe('after');
    console.info(
      `terminate: ${kills} backends terminated, ${resolved.length} acknowledged, ${rejected.length} rejected as not stored`,
    );
    await engine.close();
  });

  it('a connection that dies after the commit, before its answer is read: the append resolves', async () => {
    const table = db.table('cut');
    await migrate(db.client, { table });
    const pool = new pg.Pool({ connectionString: PG_URL, max: 4 });
    pool.on('error', () => {});
    let cutNext = false;
    // Lets the append reach the server, stops reading the socket (the answer waits in the
    // kernel), gives the server time to commit, then destroys the socket: a real lost answer.
    const cutting: PgPoolLike = {
      query: (sql, params) => pool.query(sql, params),
      end: () => pool.end(),
      async connect() {
        const client = await pool.connect();
        const query = client.query.bind(client) as PgPoolClientLike['query'];
        const wrapped = Object.create(client) as PgPoolClientLike;
        wrapped.query = (sql: string | PgNamedQuery, params?: unknown[]) => {
          const pending = query(sql, params);
          const text = typeof sql === 'string' ? sql : sql.text;
          if (cutNext && text.includes('INSERT')) {
            cutNext = false;
            const stream = (client as unknown as { connection: { stream: Socket } }).connection
              .stream;
            stream.pause();
            setTimeout(() => stream.destroy(), 300);
          }
          return pending;
        };
        wrapped.release = (destroy?: boolean) => client.release(destroy);
        return wrapped;
      },
    };
    const engine = await createContext(
      await openPgStore({ client: pgPoolClient(cutting), sessionId: 'cut', table }),
    );
    await engine.appendMessages({ role: 'user', content: 'before' });
    cutNext = true;
    await engine.appendMessages({ role: 'user', content: 'answer lost' });
    expect(cutNext).toBe(false);
    await engine.appendMessages({ role: 'user', content: 'after' });
    const stored: StoredEvent[] = [];
    for await (const event of (
      await openPgStore({
        client: db.client,
        sessionId: 'cut',
        table,
      })
    ).load()) {
      stored.push(event);
    }
    expect(stored.map((event) => event.seq)).toEqual([1, 2, 3]);
    expect(stateToJson(foldEvents(stored))).toEqual(stateToJson(engine.state));
    await engine.close();
    await pool.end();
  });
});
