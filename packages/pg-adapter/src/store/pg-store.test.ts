import {
  ConcurrencyError,
  createContext,
  hasCode,
  type Message,
  StoreClosedError,
  type StoredEvent,
  stateToJson,
  ValidationError,
} from '@contextlog/core';
import { foldEvents } from '@contextlog/core/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PgClient } from '../client/types.js';
import { ConnectionLostError, PgTableMissingError } from '../errors.js';
import { migrate } from '../schema/migrate.js';
import { tableName } from '../schema/table.js';
import { openPgSession } from '../session.js';
import { BACKENDS, openTestDb, type TestDb } from '../testing/backends.js';
import { interceptConnections } from '../testing/intercept.js';
import { createPgStore, openPgStore } from './pg-store.js';
import { statements } from './sql.js';

const AT = '2026-11-27T12:00:00.000Z';
const message = (text: string): Message => ({ role: 'user', content: text });
const appended = (seq: number, text: string): StoredEvent => ({
  seq,
  type: 'messages.appended',
  v: 1,
  at: AT,
  data: { messages: [message(text)] },
});
const events = (from: number, count: number): StoredEvent[] =>
  Array.from({ length: count }, (_, i) => appended(from + i, `m${from + i}`));

async function all(store: { load(): AsyncIterable<StoredEvent> }): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const event of store.load()) out.push(event);
  return out;
}

/** Counts the statements sent on dedicated connections, and can fail them on purpose. */
function instrument(inner: PgClient) {
  const stats = { statements: 0, writes: 0, other: [] as string[] };
  const faults: { before?: boolean; after?: boolean; fence?: boolean } = {};
  const client = interceptConnections(inner, {
    async query(sql, run) {
      stats.statements++;
      if (/\bINSERT\b/.test(sql)) stats.writes++;
      else if (!sql.includes('pg_notify')) stats.other.push(sql);
      if (faults.before) throw new ConnectionLostError(new Error('injected: lost before'));
      const result = await run();
      if (faults.after) throw new ConnectionLostError(new Error('injected: lost after'));
      return result;
    },
    async fence(run) {
      if (faults.fence) throw new Error('injected: server unreachable');
      await run();
    },
  });
  return { client, stats, faults };
}

describe.each(BACKENDS)('pg store on %s', (kind) => {
  let db: TestDb;
  let table: string;
  let session = 0;
  const newSession = () => `session-${++session}`;

  beforeAll(async () => {
    db = await openTestDb(kind);
    table = db.table();
    await migrate(db.client, { table });
  });
  afterAll(async () => {
    await db?.close();
  });

  it('migrate is idempotent and reports the payload column it finds', async () => {
    const name = db.table();
    expect(await migrate(db.client, { table: name, payload: 'text' })).toEqual({
      table: name,
      sessions: `${name}_sessions`,
      snapshots: `${name}_snapshots`,
      payload: 'text',
    });
    // An existing table keeps its column type.
    expect(await migrate(db.client, { table: name, payload: 'json' })).toEqual({
      table: name,
      sessions: `${name}_sessions`,
      snapshots: `${name}_snapshots`,
      payload: 'text',
    });
    await Promise.all([migrate(db.client, { table: name }), migrate(db.client, { table: name })]);
    await expect(
      openPgStore({ client: db.client, sessionId: 'x', table: 'a;drop' }),
    ).rejects.toThrow(ValidationError);
  });

  it('opens asynchronously: bad options reject (createPgStore, deprecated, still throws)', async () => {
    const bad = { client: db.client, sessionId: 'x', table: 'a;drop' };
    const store = openPgStore(bad);
    expect(store).toBeInstanceOf(Promise);
    await expect(store).rejects.toThrow(ValidationError);
    expect(() => createPgStore(bad)).toThrow(ValidationError);
    // openPgSession rejects too, rather than throwing before it returns a promise.
    const opening = (() => {
      try {
        return openPgSession({ client: db.client, sessionId: '', table });
      } catch (error) {
        return error;
      }
    })();
    expect(opening).toBeInstanceOf(Promise);
    await expect(opening).rejects.toThrow(ValidationError);
  });

  it('appends and loads in seq order, one statement per append whatever the batch size', async () => {
    const { client, stats } = instrument(db.client);
    const store = await openPgStore({ client, sessionId: newSession(), table });
    await store.append(events(1, 3), { expectedSeq: 0 });
    expect(stats.writes).toBe(1);
    await store.append(events(4, 5000), { expectedSeq: 3 });
    expect(stats.writes).toBe(2);
    // Besides the append itself only the NOTIFY that follows its commit.
    expect(stats.other).toEqual([]);
    const loaded = await all(store);
    expect(loaded.map((event) => event.seq)).toEqual(Array.from({ length: 5003 }, (_, i) => i + 1));
    expect(loaded[4]).toEqual(appended(5, 'm5'));
    expect(await store.lastSeq()).toBe(5003);
  });

  it('reads a page as a range of the primary key, never sorting the session', async () => {
    const sessionId = newSession();
    const writer = await openPgStore({ client: db.client, sessionId, table });
    await writer.append(events(1, 50), { expectedSeq: 0 });
    const connection = await db.client.connect();
    try {
      await connection.query('BEGIN');
      // However small or full the table, no plan but the index's in key order: a page must not
      // sort (ordering by the float8 output named seq did, reading the whole session for every
      // page). A bitmap scan, which the planner may pick once earlier tests filled the table,
      // gives rows out of key order and so always sorts: left out too.
      await connection.query('SET LOCAL enable_seqscan = off');
      await connection.query('SET LOCAL enable_bitmapscan = off');
      const { rows } = await connection.query<Record<string, string>>(
        `EXPLAIN ${statements(tableName(table)).page}`,
        [sessionId, 10, 7],
      );
      const plan = rows.map((row) => Object.values(row).join('')).join('\n');
      expect(plan).toMatch(/Index (Only )?Scan/);
      expect(plan).not.toMatch(/Sort/);
    } finally {
      await connection.query('ROLLBACK');
      connection.release();
    }
  });

  it('load streams page by page', async () => {
    const sessionId = newSession();
    const writer = await openPgStore({ client: db.client, sessionId, table });
    await writer.append(events(1, 50), { expectedSeq: 0 });
    let reads = 0;
    let lookups = 0;
    const counting: PgClient = {
      ...db.client,
      query: (sql, params) => {
        // Pages of events; besides them, once each, whether the table has the op column and the
        // snapshots table, and the seq of the latest snapshot.
        if (/ORDER BY e\.seq LIMIT/.test(sql)) reads++;
        else lookups++;
        return db.client.query(sql, params);
      },
    };
    const reader = await openPgStore({ client: counting, sessionId, table, pageSize: 7 });
    const iterator = reader.load()[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value).toEqual(appended(1, 'm1'));
    expect(reads).toBe(1);
    const rest: number[] = [];
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      rest.push(next.value.seq);
    }
    expect(rest).toEqual(Array.from({ length: 49 }, (_, i) => i + 2));
    expect(reads).toBe(8);
    expect(lookups).toBe(3);
  });

  it('a stale or ahead expectedSeq is a ConcurrencyError and stores nothing', async () => {
    const store = await openPgStore({ client: db.client, sessionId: newSession(), table });
    await store.append(events(1, 2), { expectedSeq: 0 });
    const stale = await store.append([appended(2, 'x')], { expectedSeq: 1 }).catch((e) => e);
    expect(stale).toBeInstanceOf(ConcurrencyError);
    expect(stale).toMatchObject({ expectedSeq: 1, actualSeq: 2 });
    const ahead = await store.append([appended(4, 'x')], { expectedSeq: 3 }).catch((e) => e);
    expect(ahead).toMatchObject({ code: 'CONCURRENCY', expectedSeq: 3, actualSeq: 2 });
    await expect(store.append([], { expectedSeq: 5 })).rejects.toBeInstanceOf(ConcurrencyError);
    await store.append([], { expectedSeq: 2 });
    expect((await all(store)).map((event) => event.seq)).toEqual([1, 2]);
  });

  it('a bad batch is a ValidationError and stores nothing', async () => {
    const store = await openPgStore({ client: db.client, sessionId: newSession(), table });
    await store.append(events(1, 1), { expectedSeq: 0 });
    const gap = [appended(2, 'a'), appended(4, 'b')];
    await expect(store.append(gap, { expectedSeq: 1 })).rejects.toBeInstanceOf(ValidationError);
    const invalid = [
      appended(2, 'a'),
      { ...appended(3, 'b'), data: { messages: [] } } as unknown as StoredEvent,
    ];
    await expect(store.append(invalid, { expectedSeq: 1 })).rejects.toBeInstanceOf(ValidationError);
    const nulAt = [{ ...appended(2, 'a'), at: 'a\u0000b' }];
    await expect(store.append(nulAt, { expectedSeq: 1 })).rejects.toMatchObject({
      code: 'VALIDATION',
      path: 'events[0].at',
    });
    expect(await all(store)).toEqual([appended(1, 'm1')]);
  });

  it.each(['json', 'text'] as const)(
    'messages round-trip exactly through a %s column (NUL, lone surrogates, emoji)',
    async (payload) => {
      const name = db.table(payload);
      await migrate(db.client, { table: name, payload });
      const sessionId = 'weird \u{1F600} "session" \\ id';
      const store = await openPgStore({ client: db.client, sessionId, table: name });
      const engine = await createContext(store);
      const tricky: Message[] = [
        message('nul \u0000 inside'),
        message('lone high \ud800 and lone low \udc00, reversed \udc00\ud800'),
        { role: 'assistant', content: [{ type: 'text', text: '😀 漢字 \u0000\ud83d' }] },
        {
          role: 'assistant',
          content: '',
          tool_calls: [
            { type: 'function', id: 'c1', function: { name: 'f', arguments: '{"a":"\\u0000"}' } },
          ],
        },
      ];
      await engine.appendMessages(tricky);
      await engine.setMetadata('k\u0000', { 'x\ud800': ['\u0000', 1.5, null, true] });
      const reopened = await createContext(
        await openPgStore({ client: db.client, sessionId, table: name }),
      );
      expect(reopened.state.messages).toEqual(tricky);
      expect(reopened.state.messages[1]?.content).toBe(tricky[1]?.content);
      expect(stateToJson(reopened.state)).toEqual(stateToJson(engine.state));
      const stored = await all(store);
      expect(JSON.stringify(stored)).toBe(
        JSON.stringify(await all(await openPgStore({ client: db.client, sessionId, table: name }))),
      );
      await engine.close();
      await reopened.close();
    },
  );

  it('names the missing table', async () => {
    const store = await openPgStore({
      client: db.client,
      sessionId: 's',
      table: db.table('missing'),
    });
    await expect(all(store)).rejects.toBeInstanceOf(PgTableMissingError);
    await expect(store.append(events(1, 1), { expectedSeq: 0 })).rejects.toBeInstanceOf(
      PgTableMissingError,
    );
  });

  it('refuses everything after close', async () => {
    const store = await openPgStore({ client: db.client, sessionId: newSession(), table });
    await store.close();
    await expect(store.append(events(1, 1), { expectedSeq: 0 })).rejects.toBeInstanceOf(
      StoreClosedError,
    );
    await expect(all(store)).rejects.toBeInstanceOf(StoreClosedError);
  });

  it('a connection lost after the commit settles as stored', async () => {
    const { client, faults } = instrument(db.client);
    const sessionId = newSession();
    const engine = await createContext(await openPgStore({ client, sessionId, table }));
    await engine.appendMessages(message('one'));
    faults.after = true;
    await engine.appendMessages(message('two'));
    faults.after = false;
    await engine.appendMessages(message('three'));
    const stored = await all(await openPgStore({ client: db.client, sessionId, table }));
    expect(stateToJson(foldEvents(stored))).toEqual(stateToJson(engine.state));
    expect(engine.state.messages.map((m) => m.content)).toEqual(['one', 'two', 'three']);
  });

  it('a connection lost before the commit settles as not stored, and the engine goes on', async () => {
    const { client, faults } = instrument(db.client);
    const sessionId = newSession();
    const engine = await createContext(await openPgStore({ client, sessionId, table }));
    await engine.appendMessages(message('one'));
    faults.before = true;
    const lost = await engine.appendMessages(message('two')).catch((e) => e);
    expect(hasCode(lost, 'PG_CONNECTION_LOST')).toBe(true);
    faults.before = false;
    await engine.appendMessages(message('three'));
    const stored = await all(await openPgStore({ client: db.client, sessionId, table }));
    expect(stored.map((event) => event.seq)).toEqual([1, 2]);
    expect(stateToJson(foldEvents(stored))).toEqual(stateToJson(engine.state));
    expect(engine.state.messages.map((m) => m.content)).toEqual(['one', 'three']);
  });

  it('an outcome it cannot establish breaks the store rather than report a rejection', async () => {
    const { client, faults } = instrument(db.client);
    const sessionId = newSession();
    const engine = await createContext(
      await openPgStore({ client, sessionId, table, settleTimeoutMs: 100 }),
    );
    faults.before = true;
    faults.fence = true;
    const error = await engine.appendMessages(message('one')).catch((e) => e);
    expect(hasCode(error, 'STORE_BROKEN')).toBe(true);
    faults.before = false;
    faults.fence = false;
    await expect(engine.appendMessages(message('two'))).rejects.toMatchObject({
      code: 'CONTEXT_BROKEN',
    });
    // Reopening the session reads what is stored and continues.
    const reopened = await createContext(
      await openPgStore({ client: db.client, sessionId, table }),
    );
    await reopened.appendMessages(message('three'));
    expect(reopened.state.messages.map((m) => m.content)).toEqual(['three']);
  });

  it('two stores of one session: the second writer of a seq gets ConcurrencyError', async () => {
    const sessionId = newSession();
    const a = await openPgStore({ client: db.client, sessionId, table });
    const b = await openPgStore({ client: db.client, sessionId, table });
    const results = await Promise.allSettled([
      a.append(events(1, 3), { expectedSeq: 0 }),
      b.append([appended(1, 'b')], { expectedSeq: 0 }),
    ]);
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    expect(fulfilled).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected');
    expect(rejected?.reason).toBeInstanceOf(ConcurrencyError);
    const stored = await all(a);
    expect(stored.length === 3 || (stored.length === 1 && stored[0]?.data)).toBeTruthy();
  });
});
