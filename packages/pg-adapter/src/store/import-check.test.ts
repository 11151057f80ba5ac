import { copyEvents, createContext, openMemoryStore, type StoredEvent } from '@contextlog/core';
import { snapshotStateOf } from '@contextlog/core/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../schema/migrate.js';
import { tableName } from '../schema/table.js';
import { BACKENDS, openTestDb, type TestDb } from '../testing/backends.js';
import { openPgStore } from './pg-store.js';

/** `nul`: with a NUL character in the messages, which a `jsonb` column refuses. */
async function log(nul = true): Promise<StoredEvent[]> {
  const store = await openMemoryStore();
  const engine = await createContext(store);
  await engine.setSystemPrompt('say "hi" \\ there');
  for (let i = 0; i < 12; i++) {
    await engine.appendMessages({
      role: 'user',
      content: `m${i} 😀 漢字 "q" \\ ${nul ? '\u0000' : ''}`,
    });
  }
  await engine.setMetadata('title', { nested: ['x', null, 1.5] });
  await engine.close();
  return store.events.slice();
}

async function* listed(events: readonly StoredEvent[]) {
  yield* events;
}

describe.each(BACKENDS)('importEvents checks the stored rows on %s', (kind) => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb(kind);
  });
  afterAll(async () => {
    await db?.close();
  });

  const fresh = async (payload: 'json' | 'text') => {
    const table = db.table('checked');
    await migrate(db.client, { table, payload });
    return table;
  };

  it('reports checked for a json or a text column, so copyEvents does not replay it', async () => {
    const events = await log();
    for (const payload of ['json', 'text'] as const) {
      const table = await fresh(payload);
      const target = await openPgStore({ client: db.client, sessionId: 's', table });
      expect(await target.importEvents(listed(events), { batchSize: 5 })).toEqual({
        checked: true,
      });
      expect(await target.lastSeq()).toBe(events.length);
    }
  });

  it('rows the server stores otherwise than sent fail the import before its COMMIT: nothing is stored', async () => {
    const events = await log();
    const table = await fresh('json');
    const sql = tableName(table).sql;
    const tamper = `${table.replace('.', '.f_')}`;
    // A trigger that changes one row's time on its way in: only a read back can see it.
    await db.admin(
      `CREATE FUNCTION ${tamper}() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN IF NEW.seq = 7 THEN NEW.at := NEW.at || 'Z'; END IF; RETURN NEW; END $$`,
    );
    await db.admin(
      `CREATE TRIGGER tamper BEFORE INSERT ON ${sql} FOR EACH ROW EXECUTE FUNCTION ${tamper}()`,
    );
    const target = await openPgStore({ client: db.client, sessionId: 's', table });
    await expect(
      copyEvents(await openMemoryStore({ events }), target, { batchSize: 5 }),
    ).rejects.toMatchObject({
      code: 'COPY_MISMATCH',
      message: `postgres table ${table}, session "s": the rows stored for seq 6–10 are not the events sent`,
    });
    expect(await target.lastSeq()).toBe(0);
  });

  it('a log that starts with a snapshot, or a data column that keeps no exact text, is not checked but replayed', async () => {
    const events = await log(false);
    const table = await fresh('json');
    await db.admin(
      `ALTER TABLE ${tableName(table).sql} ALTER COLUMN data TYPE jsonb USING data::jsonb`,
    );
    const target = await openPgStore({ client: db.client, sessionId: 'b', table });
    expect(await target.importEvents(listed(events), { batchSize: 5 })).toEqual({
      checked: false,
    });
    expect(await target.lastSeq()).toBe(events.length);

    const plain = await fresh('json');
    const state = (await copyEvents(await openMemoryStore({ events }), await openMemoryStore()))
      .state;
    const snapshotted: StoredEvent[] = [
      {
        seq: state.seq,
        type: 'state.snapshotted',
        v: 1,
        at: '2026-11-27T12:00:00.000Z',
        data: { state: snapshotStateOf(state) },
      },
      { seq: state.seq + 1, type: 'usage.recorded', v: 1, at: 'x', data: { tokenCount: 7 } },
    ];
    const second = await openPgStore({ client: db.client, sessionId: 'c', table: plain });
    expect(await second.importEvents(listed(snapshotted), { batchSize: 5 })).toEqual({
      checked: false,
    });
  });
});
