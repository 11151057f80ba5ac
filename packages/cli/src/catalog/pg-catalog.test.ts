import { hasCode } from '@contextlog/core';
import { migrate, openPgSession } from '@contextlog/pg-adapter';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, openTestDb, type TestDb } from '../copy/pg-backends.test-helper.js';
import { deletePg, describePgListing, listPg } from './pg-catalog.js';

describe.each(BACKENDS)('the CLI catalog of a PostgreSQL table (%s)', (kind) => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb(kind);
  });
  afterAll(async () => {
    await db.close();
  });

  async function session(table: string, sessionId: string, messages: number): Promise<void> {
    const engine = await openPgSession({ client: db.client, table, sessionId });
    for (let i = 0; i < messages; i++) {
      await engine.appendMessages({ role: 'user', content: `m${i}` });
    }
    await engine.close();
  }

  it('counts each session; one that cannot be replayed gets its error and the rest are listed', async () => {
    const table = db.table('cat');
    await migrate(db.client, { table });
    await session(table, 'a', 2);
    await session(table, 'b', 3);
    // A revert to a checkpoint that never was: b's log cannot be replayed.
    await db.admin(
      `INSERT INTO ${table} (session_id, seq, type, v, at, data, append_id) VALUES ('b', 4, 'context.reverted', 1, 'now', '{"checkpointId":7}', 'x')`,
    );
    const listing = await listPg({ client: db.client, table }, { counts: true });
    expect(listing.sessions.map((s) => [s.sessionId, s.messages])).toEqual([
      ['a', 2],
      ['b', undefined],
    ]);
    expect(listing.sessions[1]?.problem).toMatch(/seq 4: context.reverted cannot apply/);
    const lines = describePgListing(listing);
    expect(lines[0]).toMatch(/^SESSION +SEQ +MESSAGES +DIALECT +CHANGED +NOTE$/);
    expect(lines[1]).toMatch(/^a +2 +2 +kimi-cli v1 +\d{4}/);
    expect(lines[2]).toMatch(/^b +3 +- +- +\S+ \S+ +error: postgres table/);
    expect(lines.at(-1)).toBe(`2 sessions in table ${table}`);

    const plain = await listPg({ client: db.client, table }, { counts: false });
    expect(plain.sessions.map((s) => s.messages)).toEqual([undefined, undefined]);
    expect(describePgListing(plain).at(-1)).toBe(
      'message counts and dialects: --counts replays each session',
    );
    const one = await listPg({ client: db.client, table, sessionId: 'a' }, { counts: false });
    expect(one).toMatchObject({ counted: true, sessions: [{ sessionId: 'a', messages: 2 }] });
  });

  it('deletes the session a location names, and refuses a location that names none', async () => {
    const table = db.table('del');
    await migrate(db.client, { table });
    await session(table, 'x', 1);
    const refused = await deletePg({ client: db.client, table }, {}).catch((error) => error);
    expect(hasCode(refused, 'VALIDATION')).toBe(true);
    expect(await deletePg({ client: db.client, table }, { sessionId: 'x' })).toMatchObject({
      sessionId: 'x',
      events: 1,
    });
    expect((await listPg({ client: db.client, table }, { counts: false })).sessions).toEqual([]);
    expect(
      describePgListing(await listPg({ client: db.client, table }, { counts: false })),
    ).toEqual([`no sessions in table ${table} at a ${kind === 'pglite' ? 'pglite' : 'pg'} client`]);
  });
});
