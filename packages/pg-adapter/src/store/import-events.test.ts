import {
  CopyTargetNotEmptyError,
  copyEvents,
  createContext,
  openMemoryStore,
  type StoredEvent,
  stateToJson,
} from '@contextlog/core';
import { snapshotStateOf } from '@contextlog/core/store';
import { loadAll } from '@contextlog/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PgClient } from '../client/types.js';
import { migrate } from '../schema/migrate.js';
import { BACKENDS, openTestDb, type TestDb } from '../testing/backends.js';
import { openPgStore } from './pg-store.js';

/** A log with every kind of command and text PostgreSQL must not alter. */
async function richLog(): Promise<StoredEvent[]> {
  const store = await openMemoryStore();
  const engine = await createContext(store);
  await engine.setSystemPrompt('you are \u0000 careful');
  await engine.appendMessages([
    { role: 'user', content: 'lone \ud800 surrogate, NUL \u0000, emoji 😀, CJK 漢字' },
    { role: 'assistant', content: [{ type: 'think', think: 'hmm \udfff' }] },
  ]);
  const id = await engine.checkpoint({ addUserMessage: true });
  await engine.appendMessages({ role: 'user', content: 'to be reverted' });
  await engine.revertTo(id);
  await engine.recordUsage(42);
  await engine.setMetadata('title', { nested: ['\u0000', null] });
  for (let i = 0; i < 25; i++) await engine.appendMessages({ role: 'user', content: `m${i}` });
  await engine.close();
  return store.events.slice();
}

/** The same log as a snapshot at its last seq, then one more event. */
async function snapshotLog(): Promise<StoredEvent[]> {
  const events = await richLog();
  const at = '2026-11-27T12:00:00.000Z';
  const state = (await copyEvents(await openMemoryStore({ events }), await openMemoryStore()))
    .state;
  const last = state.seq;
  return [
    { seq: last, type: 'state.snapshotted', v: 1, at, data: { state: snapshotStateOf(state) } },
    { seq: last + 1, type: 'usage.recorded', v: 1, at, data: { tokenCount: 7 } },
  ];
}

async function* listed(events: readonly StoredEvent[]) {
  yield* events;
}

async function* failingAfter(events: readonly StoredEvent[], count: number) {
  for (const [index, event] of events.entries()) {
    if (index === count) throw new Error('the source failed');
    yield event;
  }
}

describe.each(BACKENDS)('importEvents and copyEvents on %s', (kind) => {
  let db: TestDb;
  let table: string;

  beforeAll(async () => {
    db = await openTestDb(kind);
    table = db.table('import');
    await migrate(db.client, { table, payload: 'text' });
  });
  afterAll(async () => {
    await db?.close();
  });

  const store = (sessionId: string) => openPgStore({ client: db.client, sessionId, table });

  it('memory → PostgreSQL → memory keeps every event, seq and state', async () => {
    const events = await richLog();
    const there = await copyEvents(await openMemoryStore({ events }), await store('copied'), {
      batchSize: 7,
    });
    expect(there.events).toBe(events.length);
    expect(there.lastSeq).toBe(events.at(-1)?.seq);
    expect(JSON.stringify(await loadAll(await store('copied')))).toBe(JSON.stringify(events));
    const back = await openMemoryStore();
    const home = await copyEvents(await store('copied'), back);
    expect(JSON.stringify(back.events)).toBe(JSON.stringify(events));
    expect(stateToJson(home.state)).toEqual(stateToJson(there.state));
    expect(home.state.messages[0]?.content).toBe(
      'lone \ud800 surrogate, NUL \u0000, emoji 😀, CJK 漢字',
    );
  });

  it('a log that starts with a snapshot keeps its seq numbers, and the session goes on from there', async () => {
    const events = await snapshotLog();
    expect(events[0]?.seq).toBeGreaterThan(1);
    const result = await copyEvents(await openMemoryStore({ events }), await store('snapshotted'));
    expect(await loadAll(await store('snapshotted'))).toEqual(events);
    expect(result.lastSeq).toBe(events.at(-1)?.seq);
    await (await store('snapshotted')).append(
      [{ seq: result.lastSeq + 1, type: 'context.cleared', v: 1, at: 'x', data: {} }],
      { expectedSeq: result.lastSeq },
    );
  });

  it('refuses a session that has events and leaves it as it was', async () => {
    const events = await richLog();
    await copyEvents(await openMemoryStore({ events }), await store('taken'));
    const before = await loadAll(await store('taken'));
    const refused = await copyEvents(await openMemoryStore({ events }), await store('taken')).catch(
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(CopyTargetNotEmptyError);
    expect((refused as Error).message).toBe(
      `postgres table ${table}, session "taken" already holds a session: copy writes only into an empty target`,
    );
    // The caller's name for the target, when it gives one.
    await expect(
      copyEvents(await openMemoryStore({ events }), await store('taken'), { targetName: 'there' }),
    ).rejects.toMatchObject({ code: 'COPY_TARGET_NOT_EMPTY', target: 'there' });
    expect(await loadAll(await store('taken'))).toEqual(before);
  });

  it.skipIf(kind !== 'postgres')(
    "the import commits with the server's synchronous_commit: the batches inside do not turn it off",
    async () => {
      // Asks the import's own connection, just before its COMMIT, what the COMMIT will do.
      const seen: string[] = [];
      const client: PgClient = {
        ...db.client,
        kind: db.client.kind,
        query: db.client.query.bind(db.client),
        listen: db.client.listen.bind(db.client),
        async connect() {
          const connection = await db.client.connect();
          return {
            ...connection,
            release: connection.release.bind(connection),
            fence: connection.fence.bind(connection),
            async query(text, params) {
              if (text === 'COMMIT') {
                const { rows } = await connection.query<{ synchronous_commit: string }>(
                  'SHOW synchronous_commit',
                );
                seen.push(rows[0]?.synchronous_commit ?? 'unknown');
              }
              return connection.query(text, params);
            },
          };
        },
      };
      const expected = await db.client.query<{ synchronous_commit: string }>(
        'SHOW synchronous_commit',
      );
      const target = await openPgStore({ client, sessionId: 'durable', table });
      await target.importEvents(listed(await richLog()), { batchSize: 5 });
      await target.close();
      expect(seen).toEqual([expected.rows[0]?.synchronous_commit]);
      expect(seen).not.toEqual(['off']);
    },
  );

  it('a source that fails half way stores nothing: one transaction', async () => {
    const events = await richLog();
    await expect(
      (await store('half')).importEvents(failingAfter(events, 10), { batchSize: 3 }),
    ).rejects.toThrow('the source failed');
    expect(await (await store('half')).lastSeq()).toBe(0);
    // A batch the store refuses half way (a gap) rolls back the batches before it too.
    const gap = [...events.slice(0, 5), ...events.slice(6)];
    await expect(
      (await store('gap')).importEvents(listed(gap), { batchSize: 2 }),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
    });
    expect(await (await store('gap')).lastSeq()).toBe(0);
  });

  it('a PostgreSQL source with a gap fails the copy (CORRUPT_SESSION)', async () => {
    const events = await richLog();
    await (await store('holey')).append(events.slice(0, 3), { expectedSeq: 0 });
    await db.admin(
      `INSERT INTO ${table
        .split('.')
        .map((p) => `"${p}"`)
        .join('.')}
       (session_id, seq, type, v, at, data, append_id) VALUES ('holey', 9, 'context.cleared', 1, 'x', '{}', 'manual')`,
    );
    const target = await openMemoryStore();
    await expect(copyEvents(await store('holey'), target, { batchSize: 2 })).rejects.toMatchObject({
      code: 'CORRUPT_SESSION',
    });
  });

  it.skipIf(kind !== 'pglite')(
    'refuses a copy within one PGlite instance (it has a single connection)',
    async () => {
      await copyEvents(await openMemoryStore({ events: await richLog() }), await store('one-a'));
      await expect(copyEvents(await store('one-a'), await store('one-b'))).rejects.toMatchObject({
        code: 'VALIDATION',
        message: 'copying within one PGlite instance is not supported (it has a single connection)',
      });
      expect(await (await store('one-b')).lastSeq()).toBe(0);
    },
  );
});
