import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteClient } from './pglite-client.js';
import type { PgClient } from './types.js';

describe('the PGlite client', () => {
  let client: PgClient;
  beforeAll(async () => {
    client = await createPgliteClient();
  });
  afterAll(async () => {
    await client?.end();
  });

  it('runs statements and parameters', async () => {
    const { rows } = await client.query<{ n: number; s: string }>(
      'SELECT $1::int + 1 AS n, $2::text AS s',
      [41, 'x'],
    );
    expect(rows).toEqual([{ n: 42, s: 'x' }]);
  });

  it('holds its single connection for a transaction: other calls wait until release', async () => {
    await client.query('CREATE TABLE tx (n int)');
    const connection = await client.connect();
    await connection.query('BEGIN');
    await connection.query('INSERT INTO tx VALUES (1)');
    let outsideDone = false;
    const outside = client.query<{ c: number }>('SELECT count(*)::int AS c FROM tx').then((r) => {
      outsideDone = true;
      return r.rows[0]?.c;
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(outsideDone).toBe(false);
    await connection.query('ROLLBACK');
    connection.release();
    // The outside read ran after the rollback, not inside the transaction.
    expect(await outside).toBe(0);
  });

  it('delivers notifications to a listener until it unlistens', async () => {
    const payloads: string[] = [];
    const unlisten = await client.listen(
      'contextlog_test',
      (p) => payloads.push(p),
      () => {},
    );
    await client.query("SELECT pg_notify('contextlog_test', 'one')");
    await new Promise((resolve) => setTimeout(resolve, 20));
    await unlisten();
    await client.query("SELECT pg_notify('contextlog_test', 'two')");
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(payloads).toEqual(['one']);
  });
});
