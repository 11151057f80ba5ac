import { copyEvents, createContext, hasCode, openMemoryStore } from '@contextlog/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgPoolClient } from './client/pool-client.js';
import { migrate } from './schema/migrate.js';
import { openPgStore } from './store/pg-store.js';
import { BACKENDS, openTestDb, type TestDb } from './testing/backends.js';

/** What `run` threw, for the assertions on its code. */
async function thrown(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected it to throw');
}

describe.each(BACKENDS)('pg-adapter errors on %s', (kind) => {
  let db: TestDb;

  beforeAll(async () => {
    db = await openTestDb(kind);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('an option out of range is a ValidationError naming the option, not a RangeError', async () => {
    const table = db.table('errs');
    const pageSize = await thrown(() =>
      openPgStore({ client: db.client, sessionId: 's', table, pageSize: 0 }),
    );
    expect(hasCode(pageSize, 'VALIDATION') && pageSize.path).toBe('pageSize');
    const [from, to] = [await openMemoryStore(), await openMemoryStore()];
    const batchSize = await thrown(() => copyEvents(from, to, { batchSize: 1.5 }));
    expect(hasCode(batchSize, 'VALIDATION') && batchSize.path).toBe('batchSize');
    const payload = await thrown(() =>
      migrate(db.client, { table, payload: 'jsonb' as unknown as 'json' }),
    );
    expect(hasCode(payload, 'VALIDATION') && payload.path).toBe('payload');
  });

  it('a pool client with a negative replyProbeMs: a ValidationError naming it', async () => {
    const pool = new pg.Pool({ connectionString: 'postgres://127.0.0.1:1/none' });
    try {
      const error = await thrown(() => pgPoolClient(pool, { replyProbeMs: -1 }));
      expect(hasCode(error, 'VALIDATION') && error.path).toBe('replyProbeMs');
    } finally {
      await pool.end();
    }
  });

  it('an events table whose data column is neither json nor text: PG_SCHEMA_MISMATCH', async () => {
    const table = db.table('jsonb');
    await db.admin(
      `CREATE TABLE ${table} (session_id text NOT NULL, seq bigint NOT NULL, type text NOT NULL,
        v integer NOT NULL, at text NOT NULL, data jsonb NOT NULL, append_id text NOT NULL,
        PRIMARY KEY (session_id, seq))`,
    );
    const error = await thrown(() => migrate(db.client, { table }));
    expect(hasCode(error, 'PG_SCHEMA_MISMATCH'), String(error)).toBe(true);
    expect(error).toMatchObject({ table, dataType: 'jsonb' });
  });

  it('a copy that reads back to another state than its source: COPY_MISMATCH', async () => {
    const table = db.table('tampered');
    await migrate(db.client, { table });
    // Rewrites every stored message on its way in, so the target replays to another state.
    await db.admin(
      `CREATE FUNCTION ${table}_tamper() RETURNS trigger AS $$
       BEGIN NEW.data := replace(NEW.data::text, 'hello', 'HELLO')::json; RETURN NEW; END
       $$ LANGUAGE plpgsql`,
    );
    await db.admin(
      `CREATE TRIGGER tamper BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION ${table}_tamper()`,
    );
    const written = await openMemoryStore();
    const engine = await createContext(written);
    await engine.appendMessages({ role: 'user', content: 'hello' });
    await engine.close();
    const source = await openMemoryStore({ events: written.events });
    const target = await openPgStore({ client: db.client, sessionId: 'tampered', table });
    const error = await thrown(() => copyEvents(source, target, { targetName: 'tampered' }));
    await target.close();
    expect(hasCode(error, 'COPY_MISMATCH'), String(error)).toBe(true);
    expect(String(error)).toContain('tampered');
  });
});
