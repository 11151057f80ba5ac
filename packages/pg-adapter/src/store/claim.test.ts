import { randomInt } from 'node:crypto';
import {
  ConcurrencyError,
  copyEvents,
  createContext,
  hasCode,
  openMemoryStore,
  type StoredEvent,
  stateToJson,
} from '@contextlog/core';
import { foldEvents } from '@contextlog/core/store';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PgClient } from '../client/types.js';
import { migrate } from '../schema/migrate.js';
import { sessionsTableName, snapshotsTableName, tableName } from '../schema/table.js';
import { BACKENDS, openTestDb, PG_URL, type TestDb } from '../testing/backends.js';
import { openPgStore } from './pg-store.js';

const AT = '2026-11-27T12:00:00.000Z';
const appended = (seq: number, text = `m${seq}`): StoredEvent => ({
  seq,
  type: 'messages.appended',
  v: 1,
  at: AT,
  data: { messages: [{ role: 'user', content: text }] },
});
const events = (from: number, count: number): StoredEvent[] =>
  Array.from({ length: count }, (_, i) => appended(from + i));

/** A log's first event when it starts with a snapshot: the state after seqs 1..seq-1, at `seq`. */
const snapshotAt = (seq: number): StoredEvent => ({
  seq,
  type: 'state.snapshotted',
  v: 1,
  at: AT,
  data: { state: stateToJson(foldEvents(events(1, seq - 1))) as never },
});

async function all(client: PgClient, sessionId: string, table: string): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const event of (await openPgStore({ client, sessionId, table })).load())
    out.push(event);
  return out;
}

/** Its outcome, observed at once: a racer refused while the test still waits is not unhandled. */
const outcome = (promise: Promise<unknown>): Promise<PromiseSettledResult<unknown>> =>
  Promise.allSettled([promise]).then(([result]) => result as PromiseSettledResult<unknown>);

/** Exactly one of two racers committed; the other was refused with ConcurrencyError. */
function oneWinner(results: PromiseSettledResult<unknown>[]): number {
  const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
  const losers = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
  expect(winners).toHaveLength(1);
  expect(losers).toHaveLength(1);
  expect(hasCode(losers[0], 'CONCURRENCY')).toBe(true);
  return winners[0] as number;
}

/**
 * A gate on a table's inserts (real server): a row trigger waits for an advisory lock that
 * `close()` takes on a connection of its own, so every writer stops after it has read the
 * session and before its insert can commit, until `open()`. That is the widest window two
 * writers can have, and it is the same every run.
 */
async function gate(db: TestDb, table: string, applicationName: string) {
  const key = randomInt(1, 2 ** 31 - 1);
  const target = tableName(table);
  const [schema] = table.split('.');
  const fn = `"${schema}".gate_${key}`;
  await db.admin(`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS
    $$ BEGIN PERFORM pg_advisory_xact_lock_shared(${key}); RETURN NEW; END $$`);
  await db.admin(
    `CREATE TRIGGER gate_${key} BEFORE INSERT ON ${target.sql} FOR EACH ROW EXECUTE FUNCTION ${fn}()`,
  );
  const holder = new pg.Client({ connectionString: PG_URL });
  holder.on('error', () => {});
  await holder.connect();
  await holder.query('SELECT pg_advisory_lock($1)', [key]);
  return {
    /** Resolves once `count` backends of `applicationName` wait for a lock (10 s at most). */
    async waiting(count: number) {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const [row] = await db.admin(
          `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE application_name = $1 AND wait_event_type = 'Lock'`,
          [applicationName],
        );
        if ((row?.n as number) >= count) return;
        if (Date.now() > deadline) throw new Error(`${count} writers never reached the gate`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    async open() {
      await holder.query('SELECT pg_advisory_unlock($1)', [key]);
      await holder.end();
      await db.admin(`DROP TRIGGER gate_${key} ON ${target.sql}`);
    },
  };
}

describe.each(BACKENDS)('one head per session on %s', (kind) => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb(kind);
  });
  afterAll(async () => {
    await db?.close();
  });

  // Two racers whose batches start at different seqs: a check of the events alone lets both
  // commit (seq 1 and seq 5 never collide), and every later open fails.
  it.each([
    ['the snapshot at seq 5 first', true],
    ['the append at seq 1 first', false],
  ])(
    'two writers of a fresh session, %s: one commits, the other stores nothing',
    async (_, snapshotFirst) => {
      const table = db.table('claim');
      await migrate(db.client, { table });
      const sessionId = 'fresh';
      const app = `claim-${process.pid}-${randomInt(1e9)}`;
      const [a, b] =
        kind === 'postgres' ? [db.newPool(2, app), db.newPool(2, app)] : [db.client, db.client];
      const batches = [[snapshotAt(5), appended(6)], [appended(1)]];
      if (!snapshotFirst) batches.reverse();
      const [first, second] = batches as [StoredEvent[], StoredEvent[]];
      const write = async (client: PgClient, batch: StoredEvent[]) =>
        (await openPgStore({ client, sessionId, table })).append(batch, { expectedSeq: 0 });

      let results: PromiseSettledResult<unknown>[];
      if (kind === 'postgres') {
        const door = await gate(db, table, app);
        const one = outcome(write(a, first));
        await door.waiting(1);
        const two = outcome(write(b, second));
        await door.waiting(2);
        await door.open();
        results = await Promise.all([one, two]);
      } else {
        // One connection: the statements cannot interleave, but the second must still be refused.
        results = await Promise.all([outcome(write(a, first)), outcome(write(b, second))]);
      }
      const winner = oneWinner(results);
      const stored = await all(db.client, sessionId, table);
      expect(stored).toEqual(winner === 0 ? first : second);
      // The session opens and continues.
      const engine = await createContext(
        await openPgStore({ client: db.client, sessionId, table }),
      );
      await engine.appendMessages({ role: 'user', content: 'after' });
      expect(engine.state.seq).toBe((stored.at(-1)?.seq ?? 0) + 1);
      await engine.close();
    },
  );

  it.skipIf(kind !== 'postgres')(
    'a copy of a log that starts with a snapshot racing an engine that appends seq 1: one of them is refused, whole',
    async () => {
      const source = [snapshotAt(31), ...events(32, 3)];
      for (const copyFirst of [true, false]) {
        const table = db.table('copyrace');
        await migrate(db.client, { table });
        const sessionId = `race-${copyFirst}`;
        const app = `copyrace-${process.pid}-${randomInt(1e9)}`;
        const engine = await createContext(
          await openPgStore({ client: db.newPool(2, app), sessionId, table }),
        );
        const copyClient = db.newPool(2, app);
        const copy = async () =>
          copyEvents(
            await openMemoryStore({ events: source }),
            await openPgStore({ client: copyClient, sessionId, table }),
          );
        const append = () => engine.appendMessages({ role: 'user', content: 'engine' });
        const door = await gate(db, table, app);
        const one = outcome(copyFirst ? copy() : append());
        await door.waiting(1);
        const two = outcome(copyFirst ? append() : copy());
        await door.waiting(2);
        await door.open();
        const results = await Promise.all([one, two]);
        const winner = oneWinner(results);
        const copyWon = (winner === 0) === copyFirst;
        const stored = await all(db.client, sessionId, table);
        expect(stored.map((event) => event.seq)).toEqual(
          copyWon ? source.map((event) => event.seq) : [1],
        );
        const reopened = await createContext(
          await openPgStore({ client: db.client, sessionId, table }),
        );
        expect(stateToJson(reopened.state)).toEqual(stateToJson(foldEvents(stored)));
        await reopened.close();
        await engine.close();
      }
    },
  );

  it('the sessions table holds each session head, and migrate adds it to an older table', async () => {
    const table = db.table('legacy');
    const legacy = tableName(table);
    const sessions = sessionsTableName(legacy);
    // An events table as the versions before the sessions table created it.
    await db.admin(`CREATE TABLE ${legacy.sql} (
      session_id text NOT NULL, seq bigint NOT NULL, type text NOT NULL, v integer NOT NULL,
      at text NOT NULL, data json NOT NULL, append_id text NOT NULL, PRIMARY KEY (session_id, seq))`);
    for (const [sessionId, last] of [
      ['a', 3],
      ['b', 7],
    ] as const) {
      for (const event of events(1, last)) {
        await db.admin(
          `INSERT INTO ${legacy.sql} (session_id, seq, type, v, at, data, append_id) VALUES ($1, $2, $3, $4, $5, $6, 'old')`,
          [sessionId, event.seq, event.type, event.v, event.at, JSON.stringify(event.data)],
        );
      }
    }
    // Without its sessions table the store says to migrate, naming that table.
    const store = await openPgStore({ client: db.client, sessionId: 'a', table });
    const missing = await store.append([appended(4)], { expectedSeq: 3 }).catch((e) => e);
    expect(missing).toMatchObject({ code: 'PG_TABLE_MISSING', table, missing: sessions.name });
    expect((missing as Error).message).toContain(`table ${sessions.name} does not exist`);

    const results = await Promise.all([
      migrate(db.client, { table }),
      migrate(db.client, { table }),
      migrate(db.client, { table }),
    ]);
    expect(results[0]).toEqual({
      table,
      sessions: sessions.name,
      snapshots: snapshotsTableName(legacy).name,
      payload: 'json',
    });
    const heads = async () =>
      (await db.admin(`SELECT session_id, head::int AS head FROM ${sessions.sql} ORDER BY 1`)).map(
        (row) => [row.session_id, row.head],
      );
    expect(await heads()).toEqual([
      ['a', 3],
      ['b', 7],
    ]);
    // Running it again changes nothing; appends move the head.
    await migrate(db.client, { table });
    await store.append([appended(4)], { expectedSeq: 3 });
    await (await openPgStore({ client: db.client, sessionId: 'c', table })).append(events(1, 2), {
      expectedSeq: 0,
    });
    expect(await heads()).toEqual([
      ['a', 4],
      ['b', 7],
      ['c', 2],
    ]);
    const [row] = await db.admin(
      `SELECT changed_at > now() - interval '1 minute' AS recent, meta FROM ${sessions.sql} WHERE session_id = 'c'`,
    );
    expect(row).toEqual({ recent: true, meta: null });
    expect(await store.lastSeq()).toBe(4);

    // A session an older writer added after the migration (no head row) continues.
    await db.admin(
      `INSERT INTO ${legacy.sql} (session_id, seq, type, v, at, data, append_id) VALUES ('d', 1, 'messages.appended', 1, $1, $2, 'old')`,
      [AT, JSON.stringify(appended(1).data)],
    );
    const late = await openPgStore({ client: db.client, sessionId: 'd', table });
    await expect(late.append([appended(2)], { expectedSeq: 0 })).rejects.toBeInstanceOf(
      ConcurrencyError,
    );
    await late.append([appended(2)], { expectedSeq: 1 });
    expect(await heads()).toContainEqual(['d', 2]);
  });

  it('a head left behind by deleted events is named, not passed over', async () => {
    const table = db.table('deleted');
    await migrate(db.client, { table });
    const store = await openPgStore({ client: db.client, sessionId: 's', table });
    await store.append(events(1, 3), { expectedSeq: 0 });
    await db.admin(`DELETE FROM ${tableName(table).sql} WHERE session_id = 's'`);
    const error = await store.append(events(1, 1), { expectedSeq: 0 }).catch((e) => e);
    expect(error).toBeInstanceOf(ConcurrencyError);
    expect(error).toMatchObject({ expectedSeq: 0, actualSeq: 3 });
    expect((error as Error).message).toMatch(/delete the session's row in .*_sessions too/);
    expect(await all(db.client, 's', table)).toEqual([]);
    await db.admin(`DELETE FROM ${sessionsTableName(tableName(table)).sql} WHERE session_id = 's'`);
    await store.append(events(1, 1), { expectedSeq: 0 });
  });

  it('a long table name still gets a sessions table of its own', async () => {
    const long = `${'x'.repeat(60)}_${kind === 'postgres' ? randomInt(100) : 0}`;
    const table = kind === 'postgres' ? `${db.table().split('.')[0]}.${long}` : long;
    const result = await migrate(db.client, { table });
    const sessions = result.sessions.split('.').pop() as string;
    expect(sessions.length).toBeLessThanOrEqual(63);
    expect(sessions).toMatch(/^x{45}_[0-9a-f]{8}_sessions$/);
    await (await openPgStore({ client: db.client, sessionId: 's', table })).append(events(1, 2), {
      expectedSeq: 0,
    });
    const [row] = await db.admin(`SELECT head::int AS head FROM ${tableName(result.sessions).sql}`);
    expect(row?.head).toBe(2);
  });
});
