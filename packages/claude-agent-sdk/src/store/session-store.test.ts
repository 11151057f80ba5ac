import { appendFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { it } from '@contextlog/fs-adapter/testing/vitest';
import { describe, expect } from 'vitest';
import { TEST_BACKENDS } from './backends.test-helper.js';
import { type ClaudeSessionStore, createClaudeSessionStore } from './session-store.js';

const entry = (uuid: string | undefined, text = uuid ?? 'no uuid') => ({
  type: 'user',
  ...(uuid === undefined ? {} : { uuid }),
  timestamp: '2026-12-06T07:00:00.000Z',
  message: { role: 'user', content: text },
});

describe.each(TEST_BACKENDS)('createClaudeSessionStore on $name', (backend) => {
  async function withStore(dir: string, run: (store: ClaudeSessionStore) => Promise<void>) {
    const { options, cleanup } = await backend.options(dir);
    const store = await createClaudeSessionStore(options);
    try {
      await run(store);
    } finally {
      await store.close();
      await cleanup();
    }
  }

  it('appends, dedups by uuid (first wins), loads, lists, deletes', async ({ dir }) => {
    await withStore(dir, async (store) => {
      const key = { projectKey: '-home-me-Project', sessionId: 's1' };
      expect(await store.load(key)).toBeNull();
      await store.append(key, [entry('a'), entry(undefined), entry('b')]);
      await store.append(key, [
        entry('a', 'again'),
        entry('c'),
        entry('c', 'twice'),
        entry(undefined),
      ]);
      expect(await store.load(key)).toEqual([
        entry('a'),
        entry(undefined),
        entry('b'),
        entry('c'),
        entry(undefined),
      ]);
      const sub = { ...key, subpath: 'subagents/agent-1' };
      await store.append(sub, [entry('x')]);
      expect(await store.listSubkeys(key)).toEqual(['subagents/agent-1']);
      const listed = await store.listSessions(key.projectKey);
      expect(listed.map((s) => s.sessionId)).toEqual(['s1']);
      const summaries = await store.listSessionSummaries(key.projectKey);
      expect(summaries).toHaveLength(1);
      expect(summaries[0]?.mtime).toBe(listed[0]?.mtime);
      await store.delete(key);
      expect(await store.load(key)).toBeNull();
      expect(await store.load(sub)).toBeNull();
      expect(await store.listSessions(key.projectKey)).toEqual([]);
      expect(await store.listSubkeys(key)).toEqual([]);
    });
  });

  it('takes a 200-character project key of uppercase letters', async ({ dir }) => {
    await withStore(dir, async (store) => {
      const key = { projectKey: 'P'.repeat(200), sessionId: 's' };
      await store.append(key, [entry('a')]);
      expect(await store.load(key)).toEqual([entry('a')]);
      expect((await store.listSessions(key.projectKey)).map((s) => s.sessionId)).toEqual(['s']);
      if (backend.name === 'files') {
        for (const name of await readdir(dir)) expect(name.length).toBeLessThan(100);
      }
    });
  });

  it('refuses bad keys and reserved entries with typed errors, writing nothing', async ({
    dir,
  }) => {
    await withStore(dir, async (store) => {
      const key = { projectKey: 'p', sessionId: 's' };
      await expect(store.append({ ...key, sessionId: '' }, [])).rejects.toMatchObject({
        code: 'INVALID_SESSION_KEY',
      });
      await expect(store.append({ ...key, subpath: '' }, [])).rejects.toMatchObject({
        code: 'INVALID_SESSION_KEY',
      });
      await expect(
        store.append(key, [entry('a'), { type: 'contextlog.summary', mtime: 1 }]),
      ).rejects.toMatchObject({ code: 'RESERVED_ENTRY_TYPE' });
      await expect(store.append(key, [entry('a'), { uuid: 'x' } as never])).rejects.toMatchObject({
        code: 'VALIDATION',
      });
      expect(await store.load(key)).toBeNull();
      expect(await store.listSessions('p')).toEqual([]);
    });
  });

  it.runIf(backend.name === 'files')(
    'lists a session whose last line is torn from its whole file, and appends after it',
    async ({ dir }) => {
      await withStore(dir, async (store) => {
        const key = { projectKey: 'p', sessionId: 's' };
        await store.append(key, [entry('a')]);
        const [before] = await store.listSessions('p');
        await appendFile(join(dir, 'p', 's.jsonl'), '{"seq":3,"type":"messages.app');
        expect(await store.listSessions('p')).toEqual([before]);
        expect(await store.load(key)).toEqual([entry('a')]);
        await store.append(key, [entry('b')]);
        expect(await store.load(key)).toEqual([entry('a'), entry('b')]);
      });
    },
  );

  it('refuses every call once closed', async ({ dir }) => {
    const { options, cleanup } = await backend.options(dir);
    const store = await createClaudeSessionStore(options);
    await store.close();
    await expect(store.load({ projectKey: 'p', sessionId: 's' })).rejects.toMatchObject({
      code: 'CLAUDE_STORE_CLOSED',
    });
    await cleanup();
  });
});

it.for([-1, Number.NaN, Number.POSITIVE_INFINITY])(
  'refuses lockWaitMs %s with a ValidationError',
  async (lockWaitMs, { dir }) => {
    await expect(createClaudeSessionStore({ dir, lockWaitMs })).rejects.toMatchObject({
      code: 'VALIDATION',
      path: 'lockWaitMs',
    });
  },
);
