import { randomBytes } from 'node:crypto';
import { createPgClient, createPgliteClient, type PgClient } from '@contextlog/pg-adapter';
import type { ChatStoreOptions } from './chat-store.js';

export const PG_URL = process.env.CONTEXTLOG_PG_URL || undefined;

export interface TestBackend {
  readonly name: 'files' | 'pglite' | 'postgres';
  /** Store options on fresh storage (`dir` is the test's temporary directory). */
  options(dir: string): Promise<{ options: ChatStoreOptions; cleanup(): Promise<void> }>;
}

const files: TestBackend = {
  name: 'files',
  options: async (dir) => ({ options: { dir }, cleanup: async () => {} }),
};

const pglite: TestBackend = {
  name: 'pglite',
  options: async () => {
    const client = await createPgliteClient();
    return { options: { client }, cleanup: () => client.end() };
  },
};

/** A table of its own on the real server, dropped (with its sessions table) afterwards. */
const postgres: TestBackend = {
  name: 'postgres',
  options: async () => {
    const client: PgClient = createPgClient(PG_URL as string);
    const table = `chats_${process.pid}_${randomBytes(4).toString('hex')}`;
    return {
      options: { client, table },
      cleanup: async () => {
        await dropTables(client, table);
        await client.end();
      },
    };
  },
};

/** Drops `table` and the tables migrate made next to it (their names start with it). */
export async function dropTables(client: PgClient, table: string): Promise<void> {
  const { rows } = await client.query<{ name: string }>(
    "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE $1",
    [`${table}%`],
  );
  for (const { name } of rows) await client.query(`DROP TABLE IF EXISTS "${name}"`);
}

export const TEST_BACKENDS: readonly TestBackend[] = PG_URL
  ? [files, pglite, postgres]
  : [files, pglite];
