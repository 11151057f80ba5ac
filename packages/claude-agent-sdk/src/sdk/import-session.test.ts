import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importSessionToStore } from '@anthropic-ai/claude-agent-sdk';
import { it } from '@contextlog/fs-adapter/testing/vitest';
import { afterEach, describe, expect, vi } from 'vitest';
import { TEST_BACKENDS } from '../store/backends.test-helper.js';
import { createClaudeSessionStore } from '../store/session-store.js';

// A Claude Code config directory holding one transcript and one subagent transcript (with its
// .meta.json sidecar), written in the CLI's on-disk format: the SDK finds them through
// CLAUDE_CONFIG_DIR, as it finds a user's own sessions. No CLI binary is involved.
const CONFIG_DIR = fileURLToPath(new URL('../fixtures/claude-config', import.meta.url));
const SESSION_ID = '3f2a9c1e-5b7d-4e8a-9c0f-1a2b3c4d5e6f';
const PROJECT_DIR = join(CONFIG_DIR, 'projects', '-fixture-project');

async function jsonLines(path: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(path, 'utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe.each(TEST_BACKENDS)('importSessionToStore into the store on $name', (backend) => {
  it('copies a local transcript and its subagent: load gives the transcript back', async ({
    dir,
  }) => {
    vi.stubEnv('CLAUDE_CONFIG_DIR', CONFIG_DIR);
    const { options, cleanup } = await backend.options(dir);
    const store = await createClaudeSessionStore(options);
    try {
      const main = await jsonLines(join(PROJECT_DIR, `${SESSION_ID}.jsonl`));
      const agent = await jsonLines(join(PROJECT_DIR, SESSION_ID, 'subagents', 'agent-b7c1.jsonl'));
      const meta = JSON.parse(
        await readFile(join(PROJECT_DIR, SESSION_ID, 'subagents', 'agent-b7c1.meta.json'), 'utf8'),
      );
      // batchSize 2: the SDK's several appends per transcript, as a long one gets.
      await importSessionToStore(SESSION_ID, store, { dir: '/fixture/project', batchSize: 2 });
      const key = { projectKey: '-fixture-project', sessionId: SESSION_ID };
      expect(await store.load(key)).toEqual(main);
      const subpath = 'subagents/agent-b7c1';
      expect(await store.listSubkeys(key)).toEqual([subpath]);
      expect(await store.load({ ...key, subpath })).toEqual([
        ...agent,
        { type: 'agent_metadata', ...meta },
      ]);
      const [summary] = await store.listSessionSummaries(key.projectKey);
      expect(summary?.sessionId).toBe(SESSION_ID);
      expect(summary?.data).toMatchObject({ customTitle: 'Largest file in src' });

      // Imported again: the entries with a uuid are not stored twice; those without are.
      await importSessionToStore(SESSION_ID, store, { dir: '/fixture/project' });
      const withoutUuid = main.filter((entry) => entry.uuid === undefined);
      expect(await store.load(key)).toEqual([...main, ...withoutUuid]);
    } finally {
      await store.close();
      await cleanup();
    }
  });
});
