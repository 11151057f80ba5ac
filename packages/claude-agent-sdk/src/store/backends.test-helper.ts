import { randomBytes } from 'node:crypto';
import { createPgClient, createPgliteClient, type PgClient } from '@contextlog/pg-adapter';
import type { ClaudeSessionStoreOptions } from './session-store.js';

export const PG_URL = process.env.CONTEXTLOG_PG_URL || undefined;

export interface TestBackend {
  readonly name: 'files' | 'pglite' | 'postgres';
  /** Store options on fresh storage (`dir` is the test's temporary directory). */
  options(dir: string): Promise<{ options: ClaudeSessionStoreOptions; cleanup(): Promise<void> }>;
}

const files: TestBackend = {
  name: 'files',
  // `os` durability: the tests are about contents and concurrency, not power loss.
  options: async (dir) => ({ options: { dir, durability: 'os' }, cleanup: async () => {} }),
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
    const table = `claude_${process.pid}_${randomBytes(4).toString('hex')}`;
    return {
      options: { client, table },
      cleanup: async () => {
        for (const name of [table, `${table}_sessions`]) {
          await client.query(`DROP TABLE IF EXISTS "${name}"`);
        }
        await client.end();
      },
    };
  },
};

export const TEST_BACKENDS: readonly TestBackend[] = PG_URL
  ? [files, pglite, postgres]
  : [files, pglite];
