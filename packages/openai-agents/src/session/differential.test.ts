import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { it } from '@contextlog/fs-adapter/testing/vitest';
import { createPgClient, createPgliteClient, type PgClient } from '@contextlog/pg-adapter';
import { fc } from '@fast-check/vitest';
import { MemorySession } from '@openai/agents-core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { SessionCommand } from '../../scripts/session-commands.mjs';
import { openAgentsSession } from './agents-session.js';
import { buildPackage, runScript } from './child-process.test-helper.js';
import { arbSteps, comparable, resolveAll, runSideBySide } from './differential.test-helper.js';

// Random sequences of every method of the session, applied to the SDK's own MemorySession and
// to ours: equal outcomes (values; errors as thrown or not) and equal histories at every step.
// replaceHistoryWithCompaction, which MemorySession lacks, is its pops and an addItems there.

const PG_URL = process.env.CONTEXTLOG_PG_URL || undefined;

describe('openAgentsSession against MemorySession', () => {
  let run = 0;

  it('agrees at every step (a session file)', async ({ dir }) => {
    await fc.assert(
      fc.asyncProperty(arbSteps(30), async (steps) => {
        const session = await openAgentsSession(join(dir, `s${run++}.jsonl`));
        try {
          await runSideBySide(steps, new MemorySession(), session, []);
        } finally {
          await session.close();
        }
      }),
      { numRuns: 80 },
    );
  }, 120_000);

  describe('in PGlite', () => {
    let client: PgClient;
    beforeAll(async () => {
      client = await createPgliteClient();
    }, 60_000);
    afterAll(() => client.end());

    it('agrees at every step', async () => {
      await fc.assert(
        fc.asyncProperty(arbSteps(20), async (steps) => {
          const session = await openAgentsSession({ client }, { sessionId: `s${run++}` });
          try {
            await runSideBySide(steps, new MemorySession(), session, []);
          } finally {
            await session.close();
          }
        }),
        { numRuns: 25 },
      );
    }, 120_000);
  });

  describe.skipIf(PG_URL === undefined)('in PostgreSQL', () => {
    let client: PgClient;
    const table = `agents_diff_${process.pid}_${randomBytes(4).toString('hex')}`;
    beforeAll(() => {
      client = createPgClient(PG_URL as string);
    });
    afterAll(async () => {
      await client.query(`DROP TABLE IF EXISTS "${table}"`);
      await client.query(`DROP TABLE IF EXISTS "${table}_sessions"`);
      await client.end();
    });

    it('agrees at every step', async () => {
      await fc.assert(
        fc.asyncProperty(arbSteps(20), async (steps) => {
          const session = await openAgentsSession({ client, table }, { sessionId: `s${run++}` });
          try {
            await runSideBySide(steps, new MemorySession(), session, []);
          } finally {
            await session.close();
          }
        }),
        { numRuns: 15 },
      );
    }, 120_000);
  });

  describe('closed, then reopened in a fresh node process', () => {
    beforeAll(buildPackage, 120_000);

    it('agrees there too: operation ids and history survive', async ({ dir }) => {
      await fc.assert(
        fc.asyncProperty(arbSteps(16), arbSteps(16), async (before, after) => {
          const path = join(dir, `fresh${run++}.jsonl`);
          const model = new MemorySession();
          const issued: SessionCommand[] = [];
          const session = await openAgentsSession(path);
          await runSideBySide(before, model, session, issued);
          await session.close();
          const { commands, outcomes } = await resolveAll(after, model, issued);
          const commandsPath = `${path}.commands.json`;
          await writeFile(commandsPath, JSON.stringify(commands));
          const child = JSON.parse(
            await runScript('run-commands.mjs', [commandsPath, 'file', path]),
          );
          expect(child.outcomes.map(comparable)).toEqual(outcomes.map(comparable));
          expect(child.items).toEqual(JSON.parse(JSON.stringify(await model.getItems())));
        }),
        { numRuns: 12 },
      );
    }, 240_000);
  });
});
