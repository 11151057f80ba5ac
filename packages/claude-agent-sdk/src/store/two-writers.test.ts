import { randomBytes } from 'node:crypto';
import { it } from '@contextlog/fs-adapter/testing/vitest';
import { createPgClient } from '@contextlog/pg-adapter';
import { beforeAll, describe, expect } from 'vitest';
import { PG_URL } from './backends.test-helper.js';
import { buildPackage, runScript } from './child-process.test-helper.js';
import { type ClaudeSessionStoreOptions, createClaudeSessionStore } from './session-store.js';

const COUNT = 40;

beforeAll(buildPackage, 120_000);

interface Target {
  readonly name: string;
  make(dir: string): {
    options: ClaudeSessionStoreOptions;
    spec: string[];
    cleanup(): Promise<void>;
  };
}

const TARGETS: Target[] = [
  {
    name: 'files',
    make: (dir) => ({ options: { dir }, spec: ['dir', dir], cleanup: async () => {} }),
  },
  ...(PG_URL === undefined
    ? []
    : [
        {
          name: 'postgres',
          make: () => {
            const client = createPgClient(PG_URL as string);
            const table = `claude_two_${process.pid}_${randomBytes(4).toString('hex')}`;
            return {
              options: { client, table },
              spec: ['postgres', PG_URL as string, table],
              cleanup: async () => {
                for (const name of [table, `${table}_sessions`]) {
                  await client.query(`DROP TABLE IF EXISTS "${name}"`);
                }
                await client.end();
              },
            };
          },
        },
      ]),
];

describe.each(TARGETS)('two processes appending to one transcript on $name', (target) => {
  it('are serialized: no entry lost, none duplicated, none refused', async ({ dir }) => {
    const { options, spec, cleanup } = target.make(dir);
    try {
      // Both run to their end or reject: a refused append makes its child exit non-zero.
      await Promise.all([
        runScript('append-loop.mjs', ['one', String(COUNT), ...spec]),
        runScript('append-loop.mjs', ['two', String(COUNT), ...spec]),
      ]);
      const store = await createClaudeSessionStore(options);
      const entries = (await store.load({ projectKey: 'two-writers', sessionId: 'session' })) ?? [];
      await store.close();
      const uuids = entries.flatMap((entry) => (entry.uuid === undefined ? [] : [entry.uuid]));
      expect(new Set(uuids).size).toBe(uuids.length);
      for (const tag of ['one', 'two']) {
        const own = uuids.filter((uuid) => uuid.startsWith(`${tag}-`));
        // Every entry of each writer, in its own order.
        expect(own).toEqual(
          Array.from({ length: COUNT }, (_, i) => [`${tag}-${i}-a`, `${tag}-${i}-b`]).flat(),
        );
      }
      expect(uuids.filter((uuid) => uuid.startsWith('shared-')).sort()).toEqual(
        Array.from({ length: COUNT }, (_, i) => `shared-${i}`).sort(),
      );
      expect(entries.filter((entry) => entry.uuid === undefined)).toHaveLength(2 * COUNT);
    } finally {
      await cleanup();
    }
  });
});
