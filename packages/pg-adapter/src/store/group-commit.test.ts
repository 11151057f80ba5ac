import { ConcurrencyError, type Message, type StoredEvent } from '@contextlog/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PgClient, PgConnection } from '../client/types.js';
import { ConnectionLostError } from '../errors.js';
import { migrate } from '../schema/migrate.js';
import { BACKENDS, openTestDb, type TestDb } from '../testing/backends.js';
import { openPgStore } from './pg-store.js';

const AT = '2026-12-06T12:00:00.000Z';
const message = (text: string): Message => ({ role: 'user', content: text });
const events = (from: number, count: number, tag: string): StoredEvent[] =>
  Array.from({ length: count }, (_, i) => ({
    seq: from + i,
    type: 'messages.appended',
    v: 1,
    at: AT,
    data: { messages: [message(`${tag}-${from + i}`)] },
  }));

async function all(store: { load(): AsyncIterable<StoredEvent> }): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const event of store.load()) out.push(event);
  return out;
}

/** The one statement that writes several sessions (sql.ts, groupStatements). */
const isGroupAppend = (sql: string) => sql.includes('FROM req q');

/**
 * A client recording the appends sent on its connections; `failGroups` fails that many group
 * statements outright (as the server rolling one back), `loseGroups` runs that many and then
 * reports the connection lost (the outcome unknown to the writer).
 */
function recording(inner: PgClient) {
  const sent: string[] = [];
  const faults = { failGroups: 0, loseGroups: 0 };
  const client: PgClient = {
    kind: inner.kind,
    query: (sql, params) => inner.query(sql, params),
    listen: (...args) => inner.listen(...args),
    end: () => inner.end(),
    async connect(): Promise<PgConnection> {
      const connection = await inner.connect();
      return {
        release: (broken) => connection.release(broken),
        fence: () => connection.fence(),
        async query<R extends object>(sql: string, params?: readonly unknown[]) {
          if (/\bINSERT\b/.test(sql)) sent.push(sql);
          if (isGroupAppend(sql) && faults.failGroups > 0) {
            faults.failGroups--;
            throw Object.assign(new Error('injected: statement rolled back'), {
              severity: 'ERROR',
              code: 'XX000',
            });
          }
          const result = await connection.query<R>(sql, params);
          if (isGroupAppend(sql) && faults.loseGroups > 0) {
            faults.loseGroups--;
            throw new ConnectionLostError(new Error('injected: lost after the commit'));
          }
          return result;
        },
      };
    },
  };
  return { client, sent, faults };
}

describe.each(BACKENDS)('group commit across sessions on %s', (kind) => {
  let db: TestDb;
  let table: string;
  let run = 0;

  beforeAll(async () => {
    db = await openTestDb(kind);
    table = db.table('group');
    await migrate(db.client, { table });
  });
  afterAll(async () => {
    await db?.close();
  });

  const openMany = (client: PgClient, count: number) => {
    const prefix = `r${++run}`;
    return Promise.all(
      Array.from({ length: count }, (_, i) =>
        openPgStore({ client, sessionId: `${prefix}-${i}`, table }),
      ),
    );
  };

  it('writes the batches of sessions appending together in one statement, each as if alone', async () => {
    const { client, sent } = recording(db.client);
    const stores = await openMany(client, 6);
    await Promise.all(
      stores.map((store, i) => store.append(events(1, 3, `s${i}`), { expectedSeq: 0 })),
    );
    await Promise.all(
      stores.map((store, i) => store.append(events(4, 2, `s${i}`), { expectedSeq: 3 })),
    );
    expect(sent.filter(isGroupAppend).length).toBeGreaterThan(0);
    for (const [i, store] of stores.entries()) {
      expect(await all(store)).toEqual([...events(1, 3, `s${i}`), ...events(4, 2, `s${i}`)]);
      expect(await store.lastSeq()).toBe(5);
    }
    // A second batch of one session waits for the next statement: two stores racing on one
    // session, one commits and the other hears CONCURRENCY, as alone.
    const [a, b] = await openMany(client, 1).then(async ([first]) => [
      first,
      await openPgStore({ client, sessionId: (first as { sessionId: string }).sessionId, table }),
    ]);
    const outcomes = await Promise.allSettled([
      a?.append(events(1, 1, 'a'), { expectedSeq: 0 }),
      b?.append(events(1, 1, 'b'), { expectedSeq: 0 }),
    ]);
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = outcomes.find((outcome) => outcome.status === 'rejected');
    expect((rejected as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrencyError);
    expect(await a?.lastSeq()).toBe(1);
  });

  it("one session's conflict in a group stores nothing of its batch and leaves the others'", async () => {
    const { client, sent } = recording(db.client);
    const stores = await openMany(client, 4);
    const [first] = stores;
    if (first === undefined) throw new Error('no store');
    await first.append(events(1, 2, 'early'), { expectedSeq: 0 });
    const stale = await openPgStore({ client, sessionId: first.sessionId, table });
    const before = sent.filter(isGroupAppend).length;
    const outcomes = await Promise.allSettled([
      stale.append(events(1, 2, 'stale'), { expectedSeq: 0 }),
      ...stores.slice(1).map((store, i) => store.append(events(1, 2, `s${i}`), { expectedSeq: 0 })),
    ]);
    expect(sent.filter(isGroupAppend).length).toBe(before + 1);
    expect(outcomes[0]?.status).toBe('rejected');
    expect((outcomes[0] as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrencyError);
    expect(outcomes.slice(1).every((outcome) => outcome.status === 'fulfilled')).toBe(true);
    expect(await all(first)).toEqual(events(1, 2, 'early'));
    for (const [i, store] of stores.slice(1).entries()) {
      expect(await all(store)).toEqual(events(1, 2, `s${i}`));
    }
  });

  it('a group statement the server rolls back is tried again batch by batch', async () => {
    const { client, sent, faults } = recording(db.client);
    const stores = await openMany(client, 5);
    faults.failGroups = 1;
    await Promise.all(
      stores.map((store, i) => store.append(events(1, 2, `s${i}`), { expectedSeq: 0 })),
    );
    expect(faults.failGroups).toBe(0);
    expect(sent.filter((sql) => !isGroupAppend(sql)).length).toBeGreaterThanOrEqual(stores.length);
    for (const [i, store] of stores.entries()) {
      expect(await all(store)).toEqual(events(1, 2, `s${i}`));
    }
  });

  it('a group whose connection is lost after its commit: every batch settles as stored', async () => {
    const { client, faults } = recording(db.client);
    const stores = await openMany(client, 4);
    faults.loseGroups = 1;
    await Promise.all(
      stores.map((store, i) => store.append(events(1, 2, `s${i}`), { expectedSeq: 0 })),
    );
    expect(faults.loseGroups).toBe(0);
    for (const [i, store] of stores.entries()) {
      expect(await all(store)).toEqual(events(1, 2, `s${i}`));
      await store.append(events(3, 1, `s${i}`), { expectedSeq: 2 });
    }
  });
});
