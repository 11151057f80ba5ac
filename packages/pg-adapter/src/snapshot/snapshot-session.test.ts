import {
  type ContextEngine,
  type ContextState,
  type Message,
  type StoredEvent,
  stateToJson,
} from '@contextlog/core';
import { foldEvents } from '@contextlog/core/store';
import { notesDialect } from '@contextlog/testkit';
import { firstValueFrom, take, timeout, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletePgSession } from '../catalog/delete.js';
import { inspectPgSession } from '../catalog/inspect.js';
import type { PgClient } from '../client/types.js';
import { followPgSession } from '../follow/follow.js';
import { migrate } from '../schema/migrate.js';
import { snapshotsTableName, tableName } from '../schema/table.js';
import { openPgSession } from '../session.js';
import { openPgStore } from '../store/pg-store.js';
import { BACKENDS, openTestDb, PG_URL, type TestDb } from '../testing/backends.js';
import { snapshotPgSession } from './snapshot-session.js';

const user = (content: string): Message => ({ role: 'user', content });

async function loadAll(db: TestDb, table: string, sessionId: string): Promise<StoredEvent[]> {
  const store = await openPgStore({ client: db.client, table, sessionId });
  const out: StoredEvent[] = [];
  for await (const event of store.load()) out.push(event);
  await store.close();
  return out;
}

const json = (state: ContextState<unknown>) => JSON.stringify(stateToJson(state));

/** A session with every kind of list a snapshot splits: messages, checkpoints, metadata, ops. */
async function busySession(db: TestDb, table: string, sessionId: string): Promise<ContextEngine> {
  const engine = await openPgSession({ client: db.client, table, sessionId });
  await engine.setSystemPrompt('be brief');
  for (let i = 0; i < 12; i++) await engine.appendMessages(user(`message ${i} ${'x'.repeat(40)}`));
  const mark = await engine.checkpoint({ operationId: 'turn-1' });
  await engine.appendMessages([user('after the mark'), user('another')]);
  await engine.revertTo(mark);
  await engine.checkpoint();
  for (let i = 0; i < 5; i++) await engine.setMetadata(`key-${i}`, { n: i, s: 'v'.repeat(30) });
  await engine.recordUsage(123);
  return engine;
}

async function rows(db: TestDb, table: string, sessionId: string) {
  const t = tableName(table);
  const events = await db.admin(
    `SELECT seq::int AS seq, type FROM ${t.sql} WHERE session_id = $1 ORDER BY seq`,
    [sessionId],
  );
  const parts = await db.admin(
    `SELECT seq::int AS seq, part, last FROM ${snapshotsTableName(t).sql} WHERE session_id = $1 ORDER BY seq, part`,
    [sessionId],
  );
  return { events, parts };
}

describe.each(BACKENDS)('snapshots of PostgreSQL sessions (%s)', (kind) => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb(kind);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('keeps older events: loading reads the snapshot and the events after it, to the same state', async () => {
    const table = db.table();
    await migrate(db.client, { table });
    const engine = await busySession(db, table, 's');
    const before = json(engine.state);
    const seq = engine.state.seq;
    await engine.close();

    const result = await snapshotPgSession({
      client: db.client,
      table,
      sessionId: 's',
      maxPartChars: 300,
    });
    expect(result).toMatchObject({ sessionId: 's', table, seq, removedEvents: 0 });
    expect(result.partRows).toBeGreaterThan(3);
    const stored = await rows(db, table, 's');
    expect(stored.events).toHaveLength(seq);
    expect(stored.parts.map((row) => row.part)).toEqual(
      Array.from({ length: result.partRows }, (_, i) => i),
    );
    expect(stored.parts.map((row) => row.last)).toEqual(
      Array.from({ length: result.partRows }, (_, i) => i === result.partRows - 1),
    );

    const loaded = await loadAll(db, table, 's');
    expect(loaded.map((event) => [event.seq, event.type])).toEqual([[seq, 'state.snapshotted']]);
    expect(json(await foldEvents(loaded))).toBe(before);

    // Loading reads only from the snapshot on: an event before it is not read at all.
    await db.admin(
      `UPDATE ${tableName(table).sql} SET data = '{"not":"an event"}' WHERE session_id = 's' AND seq = 1`,
    );
    const reopened = await openPgSession({ client: db.client, table, sessionId: 's' });
    expect(json(reopened.state)).toBe(before);
    // The next append continues the numbering.
    await reopened.appendMessages(user('next'));
    expect(reopened.state.seq).toBe(seq + 1);
    const after = json(reopened.state);
    await reopened.close();
    const again = await loadAll(db, table, 's');
    expect(again.map((event) => event.seq)).toEqual([seq, seq + 1]);
    expect(json(await foldEvents(again))).toBe(after);
  });

  it('removes older events on request: a marker row keeps the seq, and the log reads from the snapshot', async () => {
    const table = db.table();
    await migrate(db.client, { table });
    const engine = await busySession(db, table, 'r');
    const before = json(engine.state);
    const seq = engine.state.seq;
    // A first snapshot, kept, then a later one that removes everything before it.
    await snapshotPgSession({ client: db.client, table, sessionId: 'r' });
    await engine.appendMessages(user('between'));
    const between = json(engine.state);
    const result = await snapshotPgSession({
      client: db.client,
      table,
      sessionId: 'r',
      removeOlder: true,
      maxPartChars: 500,
    });
    expect(result).toMatchObject({ seq: seq + 1, removedEvents: seq + 1 });
    const stored = await rows(db, table, 'r');
    expect(stored.events).toEqual([{ seq: seq + 1, type: 'state.snapshotted' }]);
    expect(new Set(stored.parts.map((row) => row.seq))).toEqual(new Set([seq + 1]));
    expect(json(await foldEvents(await loadAll(db, table, 'r')))).toBe(between);
    expect(between).not.toBe(before);

    // The live writer goes on at seq + 2, and a reader sees snapshot then event.
    await engine.appendMessages(user('after'));
    expect(engine.state.seq).toBe(seq + 2);
    const loaded = await loadAll(db, table, 'r');
    expect(loaded.map((event) => [event.seq, event.type])).toEqual([
      [seq + 1, 'state.snapshotted'],
      [seq + 2, 'messages.appended'],
    ]);
    expect(json(await foldEvents(loaded))).toBe(json(engine.state));

    // The catalog: inspect replays it; delete removes the snapshot rows too.
    expect(await inspectPgSession({ client: db.client, table, sessionId: 'r' })).toMatchObject({
      seq: seq + 2,
      events: 2,
      messages: engine.state.messages.length,
    });
    await engine.close();
    await deletePgSession({ client: db.client, table, sessionId: 'r' });
    expect(await rows(db, table, 'r')).toEqual({ events: [], parts: [] });
  });

  it('a follower from seq 0 reads the snapshot first; one behind removed events gets the snapshot, then what follows', async () => {
    const table = db.table();
    await migrate(db.client, { table });
    const engine = await openPgSession({ client: db.client, table, sessionId: 'f' });
    await engine.appendMessages([user('a'), user('b')]);
    await engine.appendMessages(user('c'));
    // Removed while a follower is behind them: it has seen seq 1 only.
    await snapshotPgSession({ client: db.client, table, sessionId: 'f', removeOlder: true });
    const behind = firstValueFrom(
      followPgSession({ client: db.client, table, sessionId: 'f', afterSeq: 1 }).pipe(
        take(2),
        toArray(),
        timeout(10_000),
      ),
    );
    await engine.appendMessages(user('d'));
    const seen = await behind;
    expect(seen.map((event) => [event.seq, event.type])).toEqual([
      [2, 'state.snapshotted'],
      [3, 'messages.appended'],
    ]);
    // Folded onto what it had, the snapshot replaces that state: it ends at the writer's.
    const had = foldEvents([]);
    expect(json(foldEvents(seen, had))).toBe(json(engine.state));
    const fromStart = await firstValueFrom(
      followPgSession({ client: db.client, table, sessionId: 'f' }).pipe(
        take(2),
        toArray(),
        timeout(10_000),
      ),
    );
    expect(fromStart.map((event) => [event.seq, event.type])).toEqual([
      [2, 'state.snapshotted'],
      [3, 'messages.appended'],
    ]);
    expect(json(foldEvents(fromStart))).toBe(json(engine.state));
    await engine.close();
  });

  it('a session of another dialect: the snapshot needs its dialect, and replays to the same state', async () => {
    const table = db.table();
    await migrate(db.client, { table });
    const notes = await openPgSession({
      client: db.client,
      table,
      sessionId: 'n',
      dialect: notesDialect,
    });
    for (let i = 0; i < 8; i++) {
      await notes.appendMessages({
        id: `n${i}`,
        role: 'user',
        parts: [{ type: 'text', text: `note ${i} ${'y'.repeat(50)}` }],
      });
    }
    await notes.checkpoint();
    const before = json(notes.state);
    await expect(
      snapshotPgSession({ client: db.client, table, sessionId: 'n' }),
    ).rejects.toMatchObject({ code: 'UNKNOWN_DIALECT' });
    expect((await rows(db, table, 'n')).parts).toEqual([]);
    const result = await snapshotPgSession({
      client: db.client,
      table,
      sessionId: 'n',
      dialects: [notesDialect],
      removeOlder: true,
      maxPartChars: 200,
    });
    expect(result.partRows).toBeGreaterThan(2);
    const reopened = await openPgSession({
      client: db.client,
      table,
      sessionId: 'n',
      dialect: notesDialect,
    });
    expect(json(reopened.state)).toBe(before);
    // The old writer's next append is checked as a note and lands after the snapshot.
    await notes.appendMessages({ id: 'last', role: 'assistant', parts: [] });
    expect(notes.state.seq).toBe(result.seq + 1);
    await reopened.reload();
    expect(json(reopened.state)).toBe(json(notes.state));
    await notes.close();
    await reopened.close();
  });

  it('refuses a missing session and a table migrated before snapshots, changing nothing', async () => {
    const table = db.table();
    await migrate(db.client, { table });
    await expect(
      snapshotPgSession({ client: db.client, table, sessionId: 'missing' }),
    ).rejects.toMatchObject({
      code: 'PG_SESSION_NOT_FOUND',
      message: `session "missing" is not in table ${table} (nothing was changed)`,
    });
    const engine = await openPgSession({ client: db.client, table, sessionId: 'old' });
    await engine.appendMessages(user('a'));
    await db.admin(`DROP TABLE ${snapshotsTableName(tableName(table)).sql}`);
    // Without it, sessions read as before.
    expect(json(await foldEvents(await loadAll(db, table, 'old')))).toBe(json(engine.state));
    await expect(
      snapshotPgSession({ client: db.client, table, sessionId: 'old' }),
    ).rejects.toMatchObject({
      code: 'PG_TABLE_MISSING',
      missing: snapshotsTableName(tableName(table)).name,
    });
    await migrate(db.client, { table });
    expect(await snapshotPgSession({ client: db.client, table, sessionId: 'old' })).toMatchObject({
      seq: 1,
      partRows: 1,
    });
    // Taken again at the same seq: nothing new to write.
    expect(await snapshotPgSession({ client: db.client, table, sessionId: 'old' })).toMatchObject({
      seq: 1,
      partRows: 0,
    });
    await engine.close();
  });

  it('an append racing the snapshot commits before or after it, never lost', async () => {
    const table = db.table();
    await migrate(db.client, { table });
    const writerClient = kind === 'postgres' ? db.newPool(2, 'snapshot-racing-writer') : db.client;
    const engine = await openPgSession({ client: writerClient, table, sessionId: 'race' });
    await engine.appendMessages([user('a'), user('b')]);
    let stop = false;
    let appended = 0;
    const writing = (async () => {
      while (!stop) {
        await engine.appendMessages(user(`m${appended}`));
        appended++;
      }
    })();
    const results = [];
    for (let i = 0; i < 4; i++) {
      results.push(
        await snapshotPgSession({
          client: db.client,
          table,
          sessionId: 'race',
          removeOlder: i % 2 === 1,
        }),
      );
    }
    stop = true;
    await writing;
    expect(appended).toBeGreaterThan(0);
    expect(engine.state.seq).toBe(appended + 1);
    const loaded = await loadAll(db, table, 'race');
    expect(json(await foldEvents(loaded))).toBe(json(engine.state));
    expect(results.every((result) => result.seq <= engine.state.seq)).toBe(true);
    await engine.close();
  });
});

describe.runIf(PG_URL !== undefined)(
  'a snapshot holds appends while it writes (real server)',
  () => {
    let db: TestDb;
    beforeAll(async () => {
      db = await openTestDb('postgres');
    });
    afterAll(async () => {
      await db.close();
    });

    it('an append that starts during the write waits for it and lands at the next seq', async () => {
      const table = db.table();
      await migrate(db.client, { table });
      const writerClient = db.newPool(2, 'snapshot-held-writer');
      const engine = await openPgSession({ client: writerClient, table, sessionId: 'held' });
      await engine.appendMessages([user('a'), user('b')]);
      // The snapshot's COMMIT is held back until the writer has come to wait on it.
      let commit: () => void = () => {};
      const committing = new Promise<void>((resolve) => {
        commit = resolve;
      });
      let atCommit: () => void = () => {};
      const reachedCommit = new Promise<void>((resolve) => {
        atCommit = resolve;
      });
      const held: PgClient = {
        ...db.client,
        connect: async () => {
          const connection = await db.client.connect();
          return {
            ...connection,
            query: async (sql, params) => {
              if (sql === 'COMMIT') {
                atCommit();
                await committing;
              }
              return connection.query(sql, params);
            },
            release: (broken) => connection.release(broken),
            fence: () => connection.fence(),
          };
        },
      };
      const snapshotting = snapshotPgSession({
        client: held,
        table,
        sessionId: 'held',
        removeOlder: true,
      });
      await reachedCommit;
      const appending = engine.appendMessages(user('c')).then(() => 'stored');
      let waited = false;
      for (let i = 0; i < 300 && !waited; i++) {
        const waiting = await db.admin(
          "SELECT 1 FROM pg_stat_activity WHERE application_name = 'snapshot-held-writer' AND wait_event_type = 'Lock'",
        );
        waited = waiting.length > 0;
        if (!waited) await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(waited).toBe(true);
      commit();
      expect(await snapshotting).toMatchObject({ seq: 1, removedEvents: 1 });
      expect(await appending).toBe('stored');
      expect(engine.state.seq).toBe(2);
      await engine.appendMessages(user('d'));
      expect(engine.state.seq).toBe(3);
      expect((await loadAll(db, table, 'held')).map((event) => event.seq)).toEqual([1, 2, 3]);
      expect(json(await foldEvents(await loadAll(db, table, 'held')))).toBe(json(engine.state));
      await engine.close();
    });
  },
);
