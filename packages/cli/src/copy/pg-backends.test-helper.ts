// The databases the copy tests run on: PGlite always, a real server too when CONTEXTLOG_PG_URL is
// set (pg-adapter's own tests have a fuller version of this in its src/testing, not published).
import { randomBytes } from 'node:crypto';
import { createPgClient, createPgliteClient, type PgClient } from '@contextlog/pg-adapter';

export type BackendKind = 'pglite' | 'postgres';

export const PG_URL = process.env.CONTEXTLOG_PG_URL || undefined;

export const BACKENDS: readonly BackendKind[] = PG_URL ? ['pglite', 'postgres'] : ['pglite'];

export interface TestDb {
  readonly client: PgClient;
  /** A fresh table name (schema-qualified on a real server). */
  table(prefix: string): string;
  admin(sql: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

let counter = 0;

export async function openTestDb(kind: BackendKind): Promise<TestDb> {
  const admin = (client: PgClient) => async (sql: string, params?: readonly unknown[]) =>
    (await client.query(sql, params)).rows;
  if (kind === 'pglite') {
    const client = await createPgliteClient();
    return {
      client,
      table: (prefix) => `${prefix}_${++counter}`,
      admin: admin(client),
      close: () => client.end(),
    };
  }
  if (PG_URL === undefined) throw new Error('CONTEXTLOG_PG_URL is not set');
  // One schema per test file run, dropped at the end: runs never see each other's tables.
  const schema = `contextlog_cli_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const client = createPgClient(PG_URL, { max: 4 });
  await client.query(`CREATE SCHEMA "${schema}"`);
  return {
    client,
    table: (prefix) => `${schema}.${prefix}_${++counter}`,
    admin: admin(client),
    close: async () => {
      await client.query(`DROP SCHEMA "${schema}" CASCADE`);
      await client.end();
    },
  };
}
