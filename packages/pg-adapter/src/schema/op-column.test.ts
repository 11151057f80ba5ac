import { createContext, type Message, type StoredEvent, stateToJson } from '@contextlog/core';
import { foldEvents } from '@contextlog/core/store';
import { firstValueFrom, take, timeout, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgMigrationNeededError } from '../errors.js';
import { followPgSession } from '../follow/follow.js';
import { openPgStore } from '../store/pg-store.js';
import { BACKENDS, openTestDb, type TestDb } from '../testing/backends.js';
import { migrate } from './migrate.js';

const user = (content: string): Message => ({ role: 'user', content });

async function all(store: { load(): AsyncIterable<StoredEvent> }): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const event of store.load()) out.push(event);
  return out;
}

describe.each(BACKENDS)('operation ids in PostgreSQL on %s', (kind) => {
  let db: TestDb;

  beforeAll(async () => {
    db = await openTestDb(kind);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('stores the id in the op column, and reads, follows and replays it', async () => {
    const table = db.table('ops');
    await migrate(db.client, { table });
    const store = await openPgStore({ client: db.client, sessionId: 's', table });
    const engine = await createContext(store);
    await engine.appendMessages(user('a'));
    const id = await engine.checkpoint({ operationId: 'turn-1' });
    const rows = await db.admin(`SELECT seq::int AS seq, op FROM ${table} ORDER BY seq`);
    expect(rows).toEqual([
      { seq: 1, op: null },
      { seq: 2, op: 'turn-1' },
    ]);
    const loaded = await all(store);
    expect(loaded.map((event) => event.op)).toEqual([undefined, 'turn-1']);
    expect(Object.keys(loaded[1] as object)).toEqual(['seq', 'type', 'v', 'at', 'data', 'op']);
    const followed = await firstValueFrom(
      followPgSession({ client: db.client, sessionId: 's', table }).pipe(
        take(2),
        toArray(),
        timeout(10_000),
      ),
    );
    expect(followed).toEqual(loaded);
    const reopened = await createContext(
      await openPgStore({ client: db.client, sessionId: 's', table }),
    );
    expect(await reopened.checkpoint({ operationId: 'turn-1' })).toBe(id);
    expect(stateToJson(reopened.state)).toEqual(stateToJson(foldEvents(loaded)));
    await engine.close();
    await reopened.close();
  });

  it('keeps a table made before operation ids working; an id needs migrate, which adds the column in place', async () => {
    const table = db.table('old');
    await migrate(db.client, { table });
    // A table as migrate made it before operation ids (a dropped column is as good as none).
    await db.admin(`ALTER TABLE ${table} DROP COLUMN op`);
    const store = await openPgStore({ client: db.client, sessionId: 's', table });
    const engine = await createContext(store);
    await engine.appendMessages(user('a'));
    const error = await engine
      .appendMessages(user('b'), { operationId: 'x' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PgMigrationNeededError);
    expect((error as Error).message).toContain(`run migrate(client, { table: '${table}' })`);
    expect(await store.lastSeq()).toBe(1);

    await migrate(db.client, { table });
    // The same store finds the column now, and the rows from before read as they did.
    await engine.appendMessages(user('b'), { operationId: 'x' });
    await engine.appendMessages(user('b'), { operationId: 'x' });
    const loaded = await all(store);
    expect(loaded.map((event) => event.op)).toEqual([undefined, 'x']);
    expect(stateToJson(engine.state)).toEqual(stateToJson(foldEvents(loaded)));
    await engine.close();
  });
});
