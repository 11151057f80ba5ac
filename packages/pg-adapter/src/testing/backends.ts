// Test support (not part of the public API): the databases every test runs on. PGlite always;
// a real server too when CONTEXTLOG_PG_URL is set (see .ci/postgres.sh).
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { pgliteClient } from '../client/pglite-client.js';
import { pgPoolClient } from '../client/pool-client.js';
import type { PgClient } from '../client/types.js';

export type BackendKind = 'pglite' | 'postgres';

export const PG_URL = process.env.CONTEXTLOG_PG_URL || undefined;

export const BACKENDS: readonly BackendKind[] = PG_URL ? ['pglite', 'postgres'] : ['pglite'];

export interface TestDb {
  readonly kind: BackendKind;
  readonly client: PgClient;
  /** A fresh table name, unique in this database (schema-qualified on a real server). */
  table(prefix?: string): string;
  /** Another client on its own pool (real server only: PGlite has one connection). */
  newPool(max?: number, applicationName?: string): PgClient;
  /** Runs SQL on a connection of its own, outside every pool under test. */
  admin(sql: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

let counter = 0;

export async function openTestDb(kind: BackendKind): Promise<TestDb> {
  if (kind === 'pglite') {
    const db = await PGlite.create();
    const client = pgliteClient(db);
    return {
      kind,
      client,
      table: (prefix = 't') => `${prefix}_${++counter}`,
      newPool: () => {
        throw new Error('PGlite has a single connection');
      },
      admin: async (sql, params) => (await client.query(sql, params)).rows,
      close: () => db.close(),
    };
  }
  if (PG_URL === undefined) throw new Error('CONTEXTLOG_PG_URL is not set');
  const url = PG_URL;
  // One schema per test file run, dropped at the end: runs never see each other's tables.
  const schema = `contextlog_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const pools: pg.Pool[] = [];
  const newPool = (max = 10, applicationName = 'contextlog-test') => {
    const pool = new pg.Pool({ connectionString: url, max, application_name: applicationName });
    pool.on('error', () => {});
    pools.push(pool);
    return pgPoolClient(pool);
  };
  const adminPool = new pg.Pool({ connectionString: url, max: 2 });
  adminPool.on('error', () => {});
  await adminPool.query(`CREATE SCHEMA "${schema}"`);
  return {
    kind,
    client: newPool(),
    table: (prefix = 't') => `${schema}.${prefix}_${++counter}`,
    newPool,
    admin: async (sql, params) =>
      (await adminPool.query(sql, params === undefined ? undefined : [...params])).rows,
    close: async () => {
      await Promise.all(pools.map((pool) => pool.end()));
      await adminPool.query(`DROP SCHEMA "${schema}" CASCADE`);
      await adminPool.end();
    },
  };
}
