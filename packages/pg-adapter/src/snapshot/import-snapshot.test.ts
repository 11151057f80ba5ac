import { copyEvents, type Message, type StoredEvent, stateToJson } from '@contextlog/core';
import { foldEvents, snapshotStateOf } from '@contextlog/core/store';
import { notesDialect } from '@contextlog/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../schema/migrate.js';
import { snapshotsTableName, tableName } from '../schema/table.js';
import { openPgStore } from '../store/pg-store.js';
import { BACKENDS, openTestDb, type TestDb } from '../testing/backends.js';

const at = '2026-01-01T00:00:00.000Z';

/** A log that starts with a snapshot at seq 40 of `messages`, then one more append. */
function logStartingWithSnapshot(messages: readonly unknown[], dialect?: unknown): StoredEvent[] {
  const declared =
    dialect === undefined
      ? []
      : [{ seq: 1, type: 'session.declared', v: 1, at, data: { dialect, estimator: 'chars' } }];
  const state = foldEvents(
    [
      ...declared,
      {
        seq: declared.length + 1,
        type: 'messages.appended',
        v: 1,
        at,
        data: { messages },
      },
    ] as StoredEvent[],
    undefined,
    { dialects: [notesDialect] },
  );
  const snapshot = {
    seq: 40,
    type: 'state.snapshotted',
    v: 1,
    at,
    data: { state: { ...snapshotStateOf(state), seq: 40 } },
  } as StoredEvent;
  const last = messages[0];
  return [
    snapshot,
    { seq: 41, type: 'messages.appended', v: 1, at, data: { messages: [last] } },
  ] as StoredEvent[];
}

describe.each(BACKENDS)('importing a log that starts with a snapshot (%s)', (kind) => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb(kind);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('stores a state larger than a part as part rows and a marker, and reads it back whole', async () => {
    const table = db.table();
    await migrate(db.client, { table });
    // About 3 MB: three or more parts of about a megabyte.
    const messages: Message[] = Array.from({ length: 300 }, (_, i) => ({
      role: 'user',
      content: `${i} ${'z'.repeat(10_000)}`,
    }));
    const log = logStartingWithSnapshot(messages);
    const store = await openPgStore({ client: db.client, table, sessionId: 'big' });
    const result = await copyEvents(
      {
        load: async function* () {
          yield* log;
        },
      },
      store,
    );
    expect(result).toMatchObject({ events: 2, lastSeq: 41 });
    const t = tableName(table);
    const events = await db.admin(
      `SELECT seq::int AS seq, type, length(data::text) AS chars FROM ${t.sql} WHERE session_id = 'big' ORDER BY seq`,
    );
    expect(events.map((row) => [row.seq, row.type])).toEqual([
      [40, 'state.snapshotted'],
      [41, 'messages.appended'],
    ]);
    expect(Number(events[0]?.chars)).toBeLessThan(100);
    const parts = await db.admin(
      `SELECT part, length(data::text) AS chars FROM ${snapshotsTableName(t).sql} WHERE session_id = 'big' AND seq = 40 ORDER BY part`,
    );
    expect(parts.length).toBeGreaterThanOrEqual(3);
    for (const part of parts) expect(Number(part.chars)).toBeLessThan(1.1 * 2 ** 20);
    const loaded: StoredEvent[] = [];
    for await (const event of store.load()) loaded.push(event);
    expect(loaded).toEqual(log);
    // The next append continues after the log's end.
    await store.append(
      [{ seq: 42, type: 'usage.recorded', v: 1, at, data: { tokenCount: 5 } } as StoredEvent],
      { expectedSeq: 41 },
    );
    expect(await store.lastSeq()).toBe(42);
    await store.close();
  });

  it("a snapshot of another dialect needs the dialect to be split, and keeps the dialect's messages", async () => {
    const table = db.table();
    await migrate(db.client, { table });
    const notes = Array.from({ length: 20 }, (_, i) => ({
      id: `n${i}`,
      role: 'user',
      parts: [{ type: 'text', text: `note ${i}` }],
    }));
    const log = logStartingWithSnapshot(notes, { name: 'testkit-notes', version: 1 });
    const source = {
      load: async function* () {
        yield* log;
      },
    };
    const without = await openPgStore({ client: db.client, table, sessionId: 'n' });
    await expect(copyEvents(source, without)).rejects.toMatchObject({ code: 'UNKNOWN_DIALECT' });
    expect(await without.lastSeq()).toBe(0);
    const store = await openPgStore({
      client: db.client,
      table,
      sessionId: 'n',
      dialects: [notesDialect],
    });
    const result = await copyEvents(source, store);
    const loaded: StoredEvent[] = [];
    for await (const event of store.load()) loaded.push(event);
    expect(loaded).toEqual(log);
    expect(stateToJson(foldEvents(loaded))).toEqual(stateToJson(result.state));
    await store.close();
  });
});
