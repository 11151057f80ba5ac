import {
  copyEvents,
  DialectMismatchError,
  openMemoryStore,
  type StoredEvent,
  stateToJson,
} from '@contextlog/core';
import { type Note, notesDialect as notes } from '@contextlog/testkit';
import { firstValueFrom, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { followPgSession } from './follow/follow.js';
import { migrate } from './schema/migrate.js';
import { openPgSession } from './session.js';
import { openPgStore } from './store/pg-store.js';
import { BACKENDS, openTestDb } from './testing/backends.js';

const note = (id: string, text: string): Note => ({
  id,
  role: 'user',
  parts: [{ type: 'text', text }],
});

describe.each(BACKENDS)('a PostgreSQL session in a dialect (%s)', (kind) => {
  it('declares it in its first event, reopens with it, follows it, and copies out and back', async () => {
    const db = await openTestDb(kind);
    try {
      const table = db.table();
      await migrate(db.client, { table });
      const engine = await openPgSession({
        client: db.client,
        table,
        sessionId: 's',
        dialect: notes,
      });
      await engine.appendMessages([note('a', 'hello'), note('b', 'world')]);
      await engine.recordUsage(7);
      await engine.appendMessages(note('c', 'more'));
      const live = stateToJson(engine.state);
      await engine.close();

      const reopened = await openPgSession({
        client: db.client,
        table,
        sessionId: 's',
        dialect: notes,
      });
      expect(stateToJson(reopened.state)).toEqual(live);
      await reopened.close();
      await expect(
        openPgSession({ client: db.client, table, sessionId: 's' }),
      ).rejects.toBeInstanceOf(DialectMismatchError);

      // Following from past the declaration still checks the messages as the session's.
      const followed = await firstValueFrom(
        followPgSession({
          client: db.client,
          table,
          sessionId: 's',
          afterSeq: 2,
          pollIntervalMs: 0,
        }).pipe(take(2), toArray()),
      );
      expect(followed.map((event) => event.seq)).toEqual([3, 4]);

      // Copied out and back through another store: the declaration travels with the events.
      const source = await openPgStore({ client: db.client, table, sessionId: 's' });
      const memory = await openMemoryStore();
      await copyEvents(source, memory);
      await source.close();
      const back = await openPgStore({ client: db.client, table, sessionId: 'back' });
      await copyEvents(memory, back);
      await back.close();
      const copied = await openPgSession({
        client: db.client,
        table,
        sessionId: 'back',
        dialect: notes,
      });
      expect(stateToJson(copied.state)).toEqual(live);
      await copied.close();
    } finally {
      await db.close();
    }
  });

  it('a store that never read the session checks a direct append with the dialect the log declared', async () => {
    const db = await openTestDb(kind);
    try {
      const table = db.table();
      await migrate(db.client, { table });
      const engine = await openPgSession({
        client: db.client,
        table,
        sessionId: 's',
        dialect: notes,
      });
      await engine.appendMessages(note('a', 'hello'));
      await engine.close();
      // Another process's store: no load, straight to an append of a note (not kimi-cli's shape).
      const direct = await openPgStore({ client: db.client, table, sessionId: 's' });
      const at = '2026-12-06T00:00:00.000Z';
      const appended = (seq: number, message: unknown) =>
        ({
          seq,
          type: 'messages.appended',
          v: 1,
          at,
          data: { messages: [message] },
        }) as StoredEvent;
      await direct.append([appended(3, note('b', 'direct'))], { expectedSeq: 2 });
      // A store checks another dialect's messages as JSON objects (the engine of the dialect
      // checks the rest): a message that is none is refused, storing nothing.
      await expect(
        direct.append([appended(4, 'not an object')], { expectedSeq: 3 }),
      ).rejects.toMatchObject({ code: 'VALIDATION' });
      await direct.close();
      const reopened = await openPgSession({
        client: db.client,
        table,
        sessionId: 's',
        dialect: notes,
      });
      expect(reopened.state.messages).toEqual([note('a', 'hello'), note('b', 'direct')]);
      await reopened.close();
    } finally {
      await db.close();
    }
  });
});
