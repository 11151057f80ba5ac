import { ConcurrencyError, type Message, type StoredEvent } from '@contextlog/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statementName } from '../client/statement.js';
import type { PgClient } from '../client/types.js';
import { ConnectionLostError } from '../errors.js';
import { migrate } from '../schema/migrate.js';
import { BACKENDS, openTestDb, type TestDb } from '../testing/backends.js';
import { interceptConnections } from '../testing/intercept.js';
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
  /** The prepared statement name each write went by (null: unnamed). */
  const names: (string | null)[] = [];
  const faults = { failGroups: 0, loseGroups: 0 };
  const client = interceptConnections(inner, {
    async query(sql, run, options) {
      if (/\bINSERT\b/.test(sql)) {
        sent.push(sql);
        names.push(options?.name ?? null);
      }
      if (isGroupAppend(sql) && faults.failGroups > 0) {
        faults.failGroups--;
        throw Object.assign(new Error('injected: statement rolled back'), {
          severity: 'ERROR',
          code: 'XX000',
        });
      }
      const result = await run();
      if (isGroupAppend(sql) && faults.loseGroups > 0) {
        faults.loseGroups--;
        throw new ConnectionLostError(new Error('injected: lost after the commit'));
      }
      return result;
    },
  });
  return { client, sent, names, faults };
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

  /**
   * `count` stores on new sessions, each holding one event already: a store's first append looks
   * up the table's columns first, which would spread the test's appends over several turns.
   */
  const openMany = async (client: PgClient, count: number) => {
    const prefix = `r${++run}`;
    const stores = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        openPgStore({ client, sessionId: `${prefix}-${i}`, table }),
      ),
    );
    for (const [i, store] of stores.entries()) {
      await store.append(events(1, 1, `warm${i}`), { expectedSeq: 0 });
    }
    return stores;
  };
  const warm = (i: number) => events(1, 1, `warm${i}`);

  it('writes the batches of sessions appending together in one statement, each as if alone', async () => {
    const { client, sent, names } = recording(db.client);
    const stores = await openMany(client, 6);
    await Promise.all(
      stores.map((store, i) => store.append(events(2, 3, `s${i}`), { expectedSeq: 1 })),
    );
    await Promise.all(
      stores.map((store, i) => store.append(events(5, 2, `s${i}`), { expectedSeq: 4 })),
    );
    expect(sent.filter(isGroupAppend).length).toBeGreaterThan(0);
    // Group statements go named by their text too (prepared once per connection).
    expect(sent.every((sql, i) => names[i] === statementName(sql))).toBe(true);
    for (const [i, store] of stores.entries()) {
      expect(await all(store)).toEqual([
        ...warm(i),
        ...events(2, 3, `s${i}`),
        ...events(5, 2, `s${i}`),
      ]);
      expect(await store.lastSeq()).toBe(6);
    }
    // Two batches of one session go in different statements: two stores racing on one
    // session, one commits and the other hears CONCURRENCY, as alone.
    const [a] = await openMany(client, 1);
    if (a === undefined) throw new Error('no store');
    const b = await openPgStore({ client, sessionId: a.sessionId, table });
    await b.append(events(2, 1, 'b'), { expectedSeq: 0 }).catch(() => undefined); // looks up the columns
    const outcomes = await Promise.allSettled([
      a.append(events(2, 1, 'a'), { expectedSeq: 1 }),
      b.append(events(2, 1, 'b'), { expectedSeq: 1 }),
    ]);
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = outcomes.find((outcome) => outcome.status === 'rejected');
    expect((rejected as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrencyError);
    expect(await a.lastSeq()).toBe(2);
  });

  it("one session's conflict in a group stores nothing of its batch and leaves the others'", async () => {
    const { client, sent } = recording(db.client);
    const stores = await openMany(client, 4);
    const [first] = stores;
    if (first === undefined) throw new Error('no store');
    await first.append(events(2, 2, 'early'), { expectedSeq: 1 });
    const stale = await openPgStore({ client, sessionId: first.sessionId, table });
    // Its first append looks up the columns (and fails: the session is ahead of it).
    await expect(stale.append(events(2, 2, 'stale'), { expectedSeq: 1 })).rejects.toThrow(
      ConcurrencyError,
    );
    const before = sent.filter(isGroupAppend).length;
    const outcomes = await Promise.allSettled([
      stale.append(events(2, 2, 'stale'), { expectedSeq: 1 }),
      ...stores
        .slice(1)
        .map((store, i) => store.append(events(2, 2, `s${i + 1}`), { expectedSeq: 1 })),
    ]);
    expect(sent.filter(isGroupAppend).length).toBe(before + 1);
    expect(outcomes[0]?.status).toBe('rejected');
    expect((outcomes[0] as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrencyError);
    expect(outcomes.slice(1).every((outcome) => outcome.status === 'fulfilled')).toBe(true);
    expect(await all(first)).toEqual([...warm(0), ...events(2, 2, 'early')]);
    for (const [i, store] of stores.entries()) {
      if (i > 0) expect(await all(store)).toEqual([...warm(i), ...events(2, 2, `s${i}`)]);
    }
  });

  it('a group statement the server rolls back is tried again batch by batch', async () => {
    const { client, sent, faults } = recording(db.client);
    const stores = await openMany(client, 5);
    faults.failGroups = 1;
    const alone = () => sent.filter((sql) => !isGroupAppend(sql)).length;
    const before = alone();
    await Promise.all(
      stores.map((store, i) => store.append(events(2, 2, `s${i}`), { expectedSeq: 1 })),
    );
    expect(faults.failGroups).toBe(0);
    // The failed group's batches (two at least) went again one by one.
    expect(alone() - before).toBeGreaterThanOrEqual(2);
    for (const [i, store] of stores.entries()) {
      expect(await all(store)).toEqual([...warm(i), ...events(2, 2, `s${i}`)]);
    }
  });

  it('a group whose connection is lost after its commit: every batch settles as stored', async () => {
    const { client, faults } = recording(db.client);
    const stores = await openMany(client, 4);
    faults.loseGroups = 1;
    await Promise.all(
      stores.map((store, i) => store.append(events(2, 2, `s${i}`), { expectedSeq: 1 })),
    );
    expect(faults.loseGroups).toBe(0);
    for (const [i, store] of stores.entries()) {
      expect(await all(store)).toEqual([...warm(i), ...events(2, 2, `s${i}`)]);
      await store.append(events(4, 1, `s${i}`), { expectedSeq: 3 });
    }
  });
});
