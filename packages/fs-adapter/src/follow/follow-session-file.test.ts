import { appendFile, readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StoredEvent } from '@contextlog/core';
import { expect } from 'vitest';
import { defaultFileSystem, type FileSystem, opensDurableWrites } from '../fs/file-system.js';
import { openFileSession } from '../store/open-session.js';
import { it } from '../testing/vitest.js';
import { followFileSession } from './follow-session-file.js';

// That follow sees the appends of another process is tested in store/multi-process.test.ts.

it('never emits a line before its newline is written, and cleans up on unsubscribe', async ({
  dir,
}) => {
  const path = join(dir, 's.jsonl');
  const engine = await openFileSession(path);
  await engine.setSystemPrompt('sys');
  await engine.close();
  const got: StoredEvent[] = [];
  const subscription = followFileSession(path, { pollIntervalMs: 20 }).subscribe((e) =>
    got.push(e),
  );
  const line = JSON.stringify({
    seq: 2,
    v: 1,
    at: new Date().toISOString(),
    type: 'usage.recorded',
    data: { tokenCount: 5 },
  });
  const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  await wait(100);
  expect(got.map((e) => e.seq)).toEqual([1]);
  await appendFile(path, line.slice(0, 25));
  await wait(100);
  expect(got.map((e) => e.seq)).toEqual([1]);
  await appendFile(path, `${line.slice(25)}\n`);
  await wait(100);
  expect(got.map((e) => e.seq)).toEqual([1, 2]);
  subscription.unsubscribe();
  await appendFile(path, `${line.replace('"seq":2', '"seq":3')}\n`);
  await wait(100);
  expect(got.map((e) => e.seq)).toEqual([1, 2]);
});

it('errors with SessionReplacedError when the file is replaced', async ({ dir }) => {
  const path = join(dir, 's.jsonl');
  const engine = await openFileSession(path);
  await engine.setSystemPrompt('sys');
  await engine.close();
  const result = new Promise<unknown>((resolve) =>
    followFileSession(path, { pollIntervalMs: 20 }).subscribe({ error: resolve }),
  );
  await new Promise((resolve) => setTimeout(resolve, 50));
  const { rename, writeFile } = await import('node:fs/promises');
  await writeFile(join(dir, 'other'), '');
  await rename(join(dir, 'other'), path);
  expect(await result).toMatchObject({ code: 'SESSION_REPLACED' });
});

async function followed(path: string) {
  const seen: StoredEvent[] = [];
  let failure: unknown;
  const subscription = followFileSession(path, { pollIntervalMs: 5 }).subscribe({
    next: (event) => seen.push(event),
    error: (error: unknown) => {
      failure = error;
    },
  });
  return { seen, failure: () => failure, subscription };
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('errors with SESSION_ROLLED_BACK when the writer rolls back a failed write it emitted', async ({
  dir,
}) => {
  const path = join(dir, 's.jsonl');
  let failNextSync = false;
  const fs: FileSystem = {
    ...defaultFileSystem,
    async open(at, flags, mode) {
      const handle = await defaultFileSystem.open(at, flags, mode);
      if (at !== path) return handle;
      // The fsync that fails: a separate sync(), or the flush of a write on an O_DSYNC handle
      // (how the store opens 'fsync' sessions), which fails once its bytes are in the file.
      const failFlush = async (): Promise<never> => {
        failNextSync = false;
        await wait(150); // the line is in the file meanwhile: the follower sees it
        throw Object.assign(new Error('EIO: injected'), { code: 'EIO' });
      };
      const durableWrites = opensDurableWrites(flags);
      return {
        read: (...args) => handle.read(...args),
        write: async (...args) => {
          const written = await handle.write(...args);
          if (durableWrites && failNextSync) return failFlush();
          return written;
        },
        truncate: (length) => handle.truncate(length),
        stat: () => handle.stat(),
        close: () => handle.close(),
        sync: async () => {
          if (!failNextSync) return handle.sync();
          return failFlush();
        },
      };
    },
  };
  const engine = await openFileSession(path, { fs });
  await engine.appendMessages({ role: 'user', content: 'committed' });
  const follow = await followed(path);
  await wait(50);
  failNextSync = true;
  await expect(
    engine.appendMessages({ role: 'user', content: 'never acknowledged' }),
  ).rejects.toMatchObject({ code: 'APPEND_FAILED' });
  await engine.appendMessages({ role: 'user', content: `a longer line ${'x'.repeat(200)}` });
  await wait(100);
  await engine.close();
  follow.subscription.unsubscribe();
  // The unacknowledged event was emitted (follow emits before fsync), then the rollback is named.
  expect(follow.seen.map((e) => e.seq)).toEqual([1, 2]);
  expect(follow.failure()).toMatchObject({ code: 'SESSION_ROLLED_BACK' });
});

it('errors with SESSION_ROLLED_BACK when the file shrinks, or its followed bytes change', async ({
  dir,
}) => {
  for (const rewrite of [false, true]) {
    const path = join(dir, `s-${rewrite}.jsonl`);
    const engine = await openFileSession(path);
    await engine.setSystemPrompt('sys');
    await engine.recordUsage(1);
    await engine.close();
    const text = await readFile(path, 'utf8');
    const follow = await followed(path);
    await wait(50);
    expect(follow.seen.map((e) => e.seq)).toEqual([1, 2]);
    const kept = text.slice(0, text.lastIndexOf('\n', text.length - 2) + 1);
    if (rewrite) {
      const other = text.slice(kept.length).replace('"tokenCount":1', '"tokenCount":12345');
      await writeFile(path, kept + other + other.replace('"seq":2', '"seq":3'), { flag: 'r+' });
    } else {
      await truncate(path, kept.length);
    }
    await wait(60);
    follow.subscription.unsubscribe();
    expect(follow.failure()).toMatchObject({ code: 'SESSION_ROLLED_BACK' });
    expect(follow.seen.map((e) => e.seq)).toEqual([1, 2]);
  }
});
