import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { it } from '@contextlog/fs-adapter/testing/vitest';
import { createPgClient, createPgliteClient, type PgClient } from '@contextlog/pg-adapter';
import { MemorySession } from '@openai/agents-core';
import { beforeAll, describe, expect } from 'vitest';
import { type AgentsSession, openAgentsSession } from '../session/agents-session.js';
import { buildPackage, runScript } from '../session/child-process.test-helper.js';
import { instrument, runCalculatorScenario } from './runner-scenario.test-helper.js';

// The SDK's own runner (run() of @openai/agents-core, its ScriptedModel, tracing off) over
// several turns on our session, through the paths where it calls applyHistoryTransaction: an
// output-guardrail tripwire (a blocked_append transaction) and the resume from the tripped run's
// RunState (the same transaction again); then the history read back in a fresh node process
// equals what MemorySession held after the same runs.

beforeAll(buildPackage, 120_000);

const PG_URL = process.env.CONTEXTLOG_PG_URL || undefined;

interface Target {
  open(): Promise<AgentsSession>;
  /** What the child's session-of.mjs is given. */
  readonly spec: string[];
  /** Lets go of what the parent holds (PGlite's data directory), so the child can open it. */
  release(): Promise<void>;
}

const targets: Record<string, (dir: string) => Promise<Target>> = {
  files: async (dir) => {
    const path = join(dir, 'calculator.jsonl');
    return { open: () => openAgentsSession(path), spec: ['file', path], release: async () => {} };
  },
  pglite: async (dir) => {
    const client = await createPgliteClient(dir);
    return {
      open: () => openAgentsSession({ client }, { sessionId: 'calculator' }),
      spec: ['pglite', dir, 'calculator'],
      release: () => client.end(),
    };
  },
};
if (PG_URL !== undefined) {
  const url = PG_URL;
  targets.postgres = async () => {
    const client: PgClient = createPgClient(url);
    const table = `agents_${process.pid}_${randomBytes(4).toString('hex')}`;
    return {
      open: () => openAgentsSession({ client, table }, { sessionId: 'calculator' }),
      spec: ['postgres', url, table, 'calculator'],
      release: async () => {
        await client.query(`DROP TABLE IF EXISTS "${table}"`);
        await client.query(`DROP TABLE IF EXISTS "${table}_sessions"`);
        await client.end();
      },
    };
  };
}

describe.each(Object.keys(targets))('the runner on openAgentsSession (%s)', (name) => {
  it('keeps what MemorySession keeps, through a tripwire, a lost ack and two resumes', async ({
    dir,
  }) => {
    const memory = new MemorySession();
    const memoryRun = instrument(() => memory);
    await runCalculatorScenario({ instrumented: memoryRun, reopen: async () => {} });

    const target = await (targets[name] as (dir: string) => Promise<Target>)(dir);
    let session = await target.open();
    const ours = instrument(() => session);
    await runCalculatorScenario({
      instrumented: ours,
      reopen: async () => {
        await session.close();
        session = await target.open();
      },
    });
    expect(ours.transactions.map(({ type }) => type)).toEqual(
      memoryRun.transactions.map(({ type }) => type),
    );
    expect(ours.transactions.length).toBeGreaterThanOrEqual(2);
    const expected = await memory.getItems();
    expect(await session.getItems()).toEqual(expected);
    await session.close();

    let printed: string;
    try {
      if (name === 'pglite') await target.release();
      printed = await runScript('print-items.mjs', target.spec);
    } finally {
      if (name !== 'pglite') await target.release();
    }
    expect(JSON.parse(printed)).toEqual(JSON.parse(JSON.stringify(expected)));
  }, 120_000);
});
