import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  InMemorySessionStore,
  type SessionKey,
  type SessionStoreEntry,
} from '@anthropic-ai/claude-agent-sdk';
import { sharedTempDir } from '@contextlog/fs-adapter/testing/vitest';
import { createPgClient, createPgliteClient, type PgClient } from '@contextlog/pg-adapter';
import { fc, test } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { applyOp, type Op, type OpResult } from '../../scripts/ops.mjs';
import { arbClaudeEntries } from '../testing/index.js';
import { PG_URL } from './backends.test-helper.js';
import { buildPackage, runScript } from './child-process.test-helper.js';
import { type ClaudeSessionStoreOptions, createClaudeSessionStore } from './session-store.js';

/**
 * The SDK's own store, plus what the SessionStore contract asks of an adapter and it leaves out:
 * `uuid` is an idempotency key (the first entry with a uuid wins; entries without one always go
 * in). An append whose entries are all stored already, on a key that exists, changes nothing (its
 * mtime included): a retry of a batch that landed.
 */
function referenceStore() {
  const memory = new InMemorySessionStore();
  return {
    memory,
    async append(key: SessionKey, entries: SessionStoreEntry[]) {
      const stored = await memory.load(key);
      const seen = new Set(
        (stored ?? []).map((entry) => entry.uuid).filter((u) => u !== undefined),
      );
      const fresh = entries.filter((entry) => {
        if (typeof entry.uuid !== 'string') return true;
        if (seen.has(entry.uuid)) return false;
        seen.add(entry.uuid);
        return true;
      });
      if (fresh.length === 0 && stored !== null) return;
      await memory.append(key, fresh);
    },
    load: (key: SessionKey) => memory.load(key),
    delete: (key: SessionKey) => memory.delete(key),
    listSessions: (projectKey: string) => memory.listSessions(projectKey),
    listSessionSummaries: (projectKey: string) => memory.listSessionSummaries(projectKey),
    listSubkeys: (key: { projectKey: string; sessionId: string }) => memory.listSubkeys(key),
  };
}

const PROJECTS = ['p', '-Home-Me-Repo'];
const SESSIONS = ['6f1c8a52-0000-4000-8000-000000000001', 'S2'];
const SUBPATHS = [undefined, 'subagents/agent-a1', 'subagents/agent-B2'];
const UUIDS = ['u1', 'u2', 'u3', 'u4'];

// Mostly one key, so that appends meet the uuids of earlier ones; the others for the listings.
const arbKey: fc.Arbitrary<SessionKey> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ projectKey: 'p', sessionId: SESSIONS[0] as string }) },
  {
    weight: 2,
    arbitrary: fc
      .record({
        projectKey: fc.constantFrom(...PROJECTS),
        sessionId: fc.constantFrom(...SESSIONS),
        subpath: fc.constantFrom(...SUBPATHS),
      })
      .map(
        ({ subpath, ...key }): SessionKey => (subpath === undefined ? key : { ...key, subpath }),
      ),
  },
);

const arbOp: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('append' as const),
      key: arbKey,
      entries: arbClaudeEntries({ uuids: UUIDS, maxLength: 4 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('load' as const), key: arbKey }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), key: arbKey }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constantFrom('listSessions' as const, 'listSessionSummaries' as const),
      projectKey: fc.constantFrom(...PROJECTS),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('listSubkeys' as const),
      projectKey: fc.constantFrom(...PROJECTS),
      sessionId: fc.constantFrom(...SESSIONS),
    }),
  },
) as fc.Arbitrary<Op>;

interface Target {
  readonly options: ClaudeSessionStoreOptions;
  /**
   * The child's command line naming the same storage; none for PGlite (one process only, and
   * ~10 s to start on this machine): the store is then reopened in this process.
   */
  readonly spec?: string[];
  cleanup(): Promise<void>;
}

const temp = sharedTempDir();
let run = 0;
let pglite: Promise<PgClient> | undefined;

const TARGETS: { name: string; runs: number; make(): Promise<Target> }[] = [
  {
    name: 'files',
    runs: 12,
    async make() {
      const dir = join(temp.path, `run-${++run}`);
      await mkdir(dir);
      const none = async () => {};
      return {
        options: { dir, durability: 'os' },
        spec: ['dir', dir],
        release: none,
        cleanup: none,
      };
    },
  },
  {
    name: 'pglite',
    runs: 3,
    async make() {
      const dataDir = join(temp.path, `pglite-${++run}`);
      const client = await createPgliteClient(dataDir);
      return {
        options: { client },
        spec: ['pglite', dataDir],
        release: () => client.end(),
        cleanup: async () => {},
      };
    },
  },
  ...(PG_URL === undefined
    ? []
    : [
        {
          name: 'postgres',
          runs: 8,
          async make(): Promise<Target> {
            const url = PG_URL as string;
            const client = createPgClient(url);
            const table = `claude_diff_${process.pid}_${randomBytes(4).toString('hex')}`;
            return {
              options: { client, table },
              spec: ['postgres', url, table],
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

beforeAll(buildPackage, 120_000);
afterAll(async () => {
  await (await pglite)?.end();
});

const asJson = (value: unknown): OpResult => JSON.parse(JSON.stringify(value));

/** The results of `ops` on the store reopened: in a fresh process when the target has a spec. */
async function reopened(made: Target, ops: Op[]): Promise<OpResult[]> {
  if (made.spec !== undefined) {
    return JSON.parse(await runScript('apply-ops.mjs', made.spec, JSON.stringify(ops)));
  }
  const again = await createClaudeSessionStore(made.options);
  try {
    const results: OpResult[] = [];
    for (const op of ops) results.push(asJson(await applyOp(again, op)));
    return results;
  } finally {
    await again.close();
  }
}

describe.each(TARGETS)('the store on $name against InMemorySessionStore', (target) => {
  test.prop(
    [fc.array(arbOp, { minLength: 5, maxLength: 30 }), fc.array(arbOp, { maxLength: 15 })],
    {
      numRuns: target.runs,
    },
  )(
    'gives equal results at every step, also reopened (in a fresh process but on PGlite)',
    async (before, after) => {
      const reference = referenceStore();
      const made = await target.make();
      try {
        const ours = await createClaudeSessionStore(made.options);
        try {
          for (const [index, op] of before.entries()) {
            // Compared as JSON: entries are stored as JSON, which gives -0 back as 0 (as the
            // SDK's own JSONL transcripts do); a store that reads back from its database (the
            // PostgreSQL one, serializing writers) shows it within the process too.
            const expected = asJson(await applyOp(reference, op));
            const actual = asJson(await applyOp(ours, op));
            expect(actual, `step ${index}: ${JSON.stringify(op)}`).toEqual(expected);
          }
        } finally {
          await ours.close();
        }
        const lists: Op[] = PROJECTS.flatMap((projectKey) => [
          { kind: 'listSessions', projectKey },
          { kind: 'listSessionSummaries', projectKey },
        ]);
        const reads: Op[] = [...lists, ...after, ...lists];
        const childResults = await reopened(made, reads);
        for (const [index, op] of reads.entries()) {
          const expected = asJson(await applyOp(reference, op));
          expect(
            childResults[index],
            `fresh process, step ${index}: ${JSON.stringify(op)}`,
          ).toEqual(expected);
        }
      } finally {
        await made.cleanup();
      }
    },
    600_000,
  );
});
