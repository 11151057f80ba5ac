import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { it } from '@contextlog/fs-adapter/testing/vitest';
import { createPgClient } from '@contextlog/pg-adapter';
import { beforeAll, describe, expect } from 'vitest';
import { openAgentsSession } from './agents-session.js';
import { buildPackage, runScript } from './child-process.test-helper.js';

// Two processes writing one session. A file is refused to the second process while the first
// holds it (SessionLockedError), so writers take turns and nothing is lost; PostgreSQL takes
// both at once, each write guarded by the stored head and retried after a reload. Either way
// every item is there exactly once, each writer's in its own order, and a retried transaction
// (same operation id) is applied once.

beforeAll(buildPackage, 120_000);

const COUNT = 40;

function checkHistory(items: readonly unknown[]): void {
  const contents = items.map((item) => (item as { content: string }).content);
  expect(new Set(contents).size).toBe(contents.length);
  for (const label of ['a', 'b']) {
    const mine = contents.filter((content) => content.startsWith(`${label}-`));
    expect(mine).toEqual(Array.from({ length: COUNT }, (_, i) => `${label}-${i}`));
  }
  expect(contents).toHaveLength(2 * COUNT);
}

describe('two processes on one session', () => {
  it('a session file: the second is refused while the first holds it, and they take turns', async ({
    dir,
  }) => {
    const path = join(dir, 'shared.jsonl');
    const held = await openAgentsSession(path);
    await expect(runScript('add-loop.mjs', ['x', '1', 'hold', 'file', path])).rejects.toThrow(
      /SESSION_LOCKED|locked/,
    );
    await held.close();

    // Both start their loops together (the barrier), so that they contend for the lock.
    process.env.ADD_LOOP_BARRIER = join(dir, 'start');
    const outputs = await Promise.all(
      ['a', 'b'].map((label) =>
        runScript('add-loop.mjs', [label, String(COUNT), 'reopen', 'file', path]),
      ),
    ).finally(() => {
      delete process.env.ADD_LOOP_BARRIER;
    });
    const session = await openAgentsSession(path);
    checkHistory(await session.getItems());
    await session.close();
    // Taking turns means being refused at times: the lock was really contended.
    const refusals = outputs.map((output) => JSON.parse(output).refusals as number);
    expect(refusals.reduce((sum, n) => sum + n, 0)).toBeGreaterThan(0);
  }, 120_000);

  const url = process.env.CONTEXTLOG_PG_URL || undefined;
  it.skipIf(url === undefined)(
    'PostgreSQL: both write at once, serialized by the stored head',
    async () => {
      const client = createPgClient(url as string);
      const table = `agents_two_${process.pid}_${randomBytes(4).toString('hex')}`;
      try {
        await Promise.all(
          ['a', 'b'].map((label) =>
            runScript('add-loop.mjs', [
              label,
              String(COUNT),
              'hold',
              'postgres',
              url as string,
              table,
              'shared',
            ]),
          ),
        );
        const session = await openAgentsSession({ client, table }, { sessionId: 'shared' });
        checkHistory(await session.getItems());
        await session.close();
      } finally {
        await client.query(`DROP TABLE IF EXISTS "${table}"`);
        await client.query(`DROP TABLE IF EXISTS "${table}_sessions"`);
        await client.end();
      }
    },
    120_000,
  );
});
