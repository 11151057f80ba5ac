import { setTimeout as sleep } from 'node:timers/promises';
import { type ContextEngine, hasCode } from '@contextlog/core';
import { foldEvents } from '@contextlog/core/store';
import { notesDialect } from '@contextlog/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PgClient } from '../client/types.js';
import { migrate } from '../schema/migrate.js';
import { sessionsTableName, tableName } from '../schema/table.js';
import { openPgSession } from '../session.js';
import { openPgStore } from '../store/pg-store.js';
import { BACKENDS, openTestDb, PG_URL, type TestDb } from '../testing/backends.js';
import { deleteInTransaction, deletePgSession } from './delete.js';
import { inspectPgSession } from './inspect.js';
import { listPgSessions } from './list.js';

const user = (content: string) => ({ role: 'user' as const, content });

/** A session cut back and summarized: its count needs the rules, not the rows. */
async function editedSession(client: PgClient, table: string, sessionId: string) {
  const engine = await openPgSession({ client, table, sessionId });
  await engine.appendMessages([user('a'), user('b')]);
  const mark = await engine.checkpoint({ addUserMessage: true });
  await engine.appendMessages([user('c'), user('d')]);
  await engine.revertTo(mark);
  await engine.appendMessages(user('e'));
  await engine.close();
}

async function rowsOf(db: TestDb, table: string, sessionId: string) {
  const events = await db.admin(
    `SELECT seq FROM ${tableName(table).sql} WHERE session_id = $1 ORDER BY seq`,
    [sessionId],
  );
  const heads = await db.admin(
    `SELECT head::float8 AS head FROM ${sessionsTableName(tableName(table)).sql} WHERE session_id = $1`,
    [sessionId],
  );
  return { seqs: events.map((row) => Number(row.seq)), heads: heads.map((row) => row.head) };
}

describe.each(BACKENDS)('the PostgreSQL catalog (%s)', (kind) => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb(kind);
  });
  afterAll(async () => {
    await db.close();
  });

  it('lists sessions by id from the sessions table, page by page, without reading events', async () => {
    const table = db.table();
    await migrate(db.client, { table });
    await editedSession(db.client, table, 'b');
    const started = new Date();
    await editedSession(db.client, table, 'a');
    const notes = await openPgSession({
      client: db.client,
      table,
      sessionId: 'c',
      dialect: notesDialect,
    });
    await notes.appendMessages({ id: 'n', role: 'user', parts: [] });
    await notes.close();
    const pages: number[] = [];
    const sessions = await listPgSessions({
      client: db.client,
      table,
      pageSize: 2,
      onProgress: ({ listed }) => pages.push(listed),
    });
    expect(sessions.map((s) => [s.sessionId, s.seq])).toEqual([
      ['a', 5],
      ['b', 5],
      ['c', 2],
    ]);
    expect(pages).toEqual([2, 3]);
    const a = sessions[0];
    expect(a?.changedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    // The server's clock and this process's may differ a little.
    expect(Date.parse(a?.changedAt ?? '')).toBeGreaterThan(started.getTime() - 60_000);
    expect(
      await listPgSessions({ client: db.client, table: db.table() }).catch((e) => e),
    ).toMatchObject({
      code: 'PG_TABLE_MISSING',
    });
  });

  it('inspects a session: its count is a replay, equal to the fold', async () => {
    const table = db.table();
    await migrate(db.client, { table });
    await editedSession(db.client, table, 'e');
    const store = await openPgStore({ client: db.client, table, sessionId: 'e' });
    const state = await foldEvents(store.load());
    await store.close();
    const detail = await inspectPgSession({ client: db.client, table, sessionId: 'e' });
    expect(detail).toMatchObject({
      sessionId: 'e',
      seq: 5,
      events: 5,
      messages: state.messages.length,
      dialect: { name: 'kimi-cli', version: 1 },
      estimator: 'kimi-cli',
    });
    expect(detail.messages).toBe(3);
    expect(detail.warnings).toBeUndefined();
    expect(detail.changedAt).toBe(
      (await listPgSessions({ client: db.client, table }))[0]?.changedAt,
    );

    const notes = await openPgSession({
      client: db.client,
      table,
      sessionId: 'n',
      dialect: notesDialect,
    });
    await notes.appendMessages({ id: 'n', role: 'user', parts: [] });
    await notes.close();
    const unknown = await inspectPgSession({ client: db.client, table, sessionId: 'n' });
    expect(unknown).toMatchObject({ messages: 1, dialect: { name: 'testkit-notes' } });
    expect(unknown.warnings?.join()).toMatch(/testkit-notes v1 is not known here/);
    const known = await inspectPgSession({
      client: db.client,
      table,
      sessionId: 'n',
      dialects: [notesDialect],
    });
    expect(known.warnings).toBeUndefined();

    await expect(
      inspectPgSession({ client: db.client, table, sessionId: 'missing' }),
    ).rejects.toMatchObject({ code: 'PG_SESSION_NOT_FOUND' });
  });

  it('deletes the events and the row in one transaction; a missing session changes nothing', async () => {
    const table = db.table();
    await migrate(db.client, { table });
    await editedSession(db.client, table, 'gone');
    await editedSession(db.client, table, 'kept');
    expect(await deletePgSession({ client: db.client, table, sessionId: 'gone' })).toEqual({
      sessionId: 'gone',
      table,
      events: 5,
    });
    expect(await rowsOf(db, table, 'gone')).toEqual({ seqs: [], heads: [] });
    expect((await rowsOf(db, table, 'kept')).seqs).toEqual([1, 2, 3, 4, 5]);
    expect((await listPgSessions({ client: db.client, table })).map((s) => s.sessionId)).toEqual([
      'kept',
    ]);
    await expect(
      deletePgSession({ client: db.client, table, sessionId: 'gone' }),
    ).rejects.toMatchObject({
      code: 'PG_SESSION_NOT_FOUND',
      message: `session "gone" is not in table ${table} (nothing was changed)`,
    });
    await expect(
      deletePgSession({ client: db.client, table, sessionId: '' }),
    ).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(
      deletePgSession({ client: db.client, table: db.table(), sessionId: 'x' }),
    ).rejects.toMatchObject({ code: 'PG_TABLE_MISSING' });
  });

  it("refuses a live writer's next append after the delete (no half session), and lets it start afresh after reload", async () => {
    const table = db.table();
    await migrate(db.client, { table });
    const engine = await openPgSession({ client: db.client, table, sessionId: 'live' });
    await engine.appendMessages([user('a'), user('b')]);
    await engine.recordUsage(3);
    await deletePgSession({ client: db.client, table, sessionId: 'live' });

    const refused = await engine.appendMessages(user('c')).catch((error: unknown) => error);
    expect(hasCode(refused, 'CONCURRENCY')).toBe(true);
    expect(refused).toMatchObject({ expectedSeq: 2, actualSeq: 0 });
    expect(await rowsOf(db, table, 'live')).toEqual({ seqs: [], heads: [] });

    const reloaded = await engine.reload();
    expect(reloaded.seq).toBe(0);
    await engine.appendMessages(user('d'));
    await engine.close();
    expect(await inspectPgSession({ client: db.client, table, sessionId: 'live' })).toMatchObject({
      seq: 1,
      messages: 1,
    });
  });
});

describe.runIf(PG_URL !== undefined)('a delete racing an append (real server)', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb('postgres');
  });
  afterAll(async () => {
    await db.close();
  });

  /** Waits until a statement of the pool named `applicationName` waits for a lock. */
  async function untilWaiting(applicationName: string): Promise<void> {
    for (let i = 0; i < 500; i++) {
      const rows = await db.admin(
        "SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'",
        [applicationName],
      );
      if (rows.length > 0) return;
      await sleep(10);
    }
    throw new Error(`no statement of ${applicationName} came to wait for a lock`);
  }

  it('an append that starts while the delete runs is refused, not stored after nothing', async () => {
    const table = db.table();
    await migrate(db.client, { table });
    const writerPool = db.newPool(2, 'catalog-racing-writer');
    const engine: ContextEngine = await openPgSession({
      client: writerPool,
      table,
      sessionId: 'raced',
    });
    await engine.appendMessages([user('a'), user('b')]);

    const connection = await db.client.connect();
    await connection.query('BEGIN');
    await deleteInTransaction(connection, tableName(table), 'raced');
    // The writer appends while the delete holds its transaction open.
    const appending = engine.appendMessages(user('c')).then(
      () => 'stored',
      (error: unknown) => error,
    );
    await untilWaiting('catalog-racing-writer');
    await connection.query('COMMIT');
    connection.release();

    expect(await appending).toMatchObject({ code: 'CONCURRENCY', expectedSeq: 1, actualSeq: 0 });
    expect(await rowsOf(db, table, 'raced')).toEqual({ seqs: [], heads: [] });
    await engine.close();
  });
});
