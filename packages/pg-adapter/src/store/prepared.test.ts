import { createContext, type Message } from '@contextlog/core';
import { firstValueFrom, take, timeout, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statementName } from '../client/statement.js';
import type { PgClient } from '../client/types.js';
import { followPgSession } from '../follow/follow.js';
import { migrate } from '../schema/migrate.js';
import { tableName } from '../schema/table.js';
import { BACKENDS, openTestDb, type TestDb } from '../testing/backends.js';
import { interceptConnections } from '../testing/intercept.js';
import { openPgStore } from './pg-store.js';
import { statements } from './sql.js';

const user = (content: string): Message => ({ role: 'user', content });

/** `client`, recording the name (or `null`) each statement of a dedicated connection goes by. */
function recording(client: PgClient) {
  const sent: { sql: string; name: string | null }[] = [];
  const recorded = interceptConnections(client, {
    query: (sql, run, options) => {
      sent.push({ sql, name: options?.name ?? null });
      return run();
    },
  });
  const both: PgClient = {
    ...recorded,
    query: (sql, params, options) => {
      sent.push({ sql, name: options?.name ?? null });
      return client.query(sql, params, options);
    },
  };
  return { client: both, sent };
}

describe.each(BACKENDS)('prepared statements on %s', (kind) => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb(kind);
  });
  afterAll(async () => {
    await db?.close();
  });

  it.each([true, false])(
    'preparedStatements %s: the append and its notify are named by their text, or not',
    async (prepared) => {
      const table = db.table('named');
      await migrate(db.client, { table });
      const { client, sent } = recording(db.client);
      const engine = await createContext(
        await openPgStore({ client, sessionId: 's', table, preparedStatements: prepared }),
      );
      await engine.appendMessages(user('a'));
      await engine.appendMessages(user('b'));
      await engine.close();
      const followed = await firstValueFrom(
        followPgSession({ client, sessionId: 's', table, preparedStatements: prepared }).pipe(
          take(2),
          toArray(),
          timeout(10_000),
        ),
      );
      expect(followed.map((event) => event.seq)).toEqual([1, 2]);
      const sql = statements(tableName(table));
      const of = (text: string) => sent.filter((statement) => statement.sql === text);
      // The page reads: the engine's load, and the follower's.
      expect(of(sql.page).length).toBeGreaterThanOrEqual(2);
      expect(of(sql.append)).toHaveLength(2);
      expect(of(sql.notify)).toHaveLength(2);
      for (const text of [sql.page, sql.append, sql.notify]) {
        const names = new Set(of(text).map((statement) => statement.name));
        expect(names).toEqual(new Set([prepared ? statementName(text) : null]));
      }
    },
  );

  for (const prepared of [true, false]) {
    it.skipIf(kind === 'pglite')(
      `preparedStatements ${prepared}: the connection holds the statements, or none`,
      async () => {
        const table = db.table('held');
        await migrate(db.client, { table });
        // One connection: every statement of the store (the load's page read too), and the check.
        const client = db.newPool(1);
        const engine = await createContext(
          await openPgStore({ client, sessionId: 's', table, preparedStatements: prepared }),
        );
        await engine.appendMessages(user('a'));
        await engine.close();
        const { rows } = await client.query<{ name: string; statement: string }>(
          'SELECT name, statement FROM pg_prepared_statements',
        );
        const sql = statements(tableName(table));
        const expected = prepared ? [sql.append, sql.notify, sql.page] : [];
        expect(rows.map((row) => row.statement).sort()).toEqual([...expected].sort());
        expect(rows.every((row) => row.name === statementName(row.statement))).toBe(true);
        await client.end();
      },
    );
  }

  it('a table that migrate gave the op column gets a statement of a new name, and both work', async () => {
    const table = db.table('grown');
    await migrate(db.client, { table });
    await db.admin(`ALTER TABLE ${table} DROP COLUMN op`);
    const { client, sent } = recording(db.client);
    const store = await openPgStore({ client, sessionId: 's', table });
    const engine = await createContext(store);
    await engine.appendMessages(user('a'));
    await migrate(db.client, { table });
    await engine.appendMessages(user('b'), { operationId: 'x' });
    await engine.close();
    const before = statements(tableName(table), false).append;
    const after = statements(tableName(table)).append;
    const appends = sent.filter((statement) => statement.sql.includes('WITH claim AS'));
    expect(appends).toEqual([
      { sql: before, name: statementName(before) },
      { sql: after, name: statementName(after) },
    ]);
    expect(statementName(before)).not.toBe(statementName(after));
    expect(await store.lastSeq()).toBe(2);
  });
});
