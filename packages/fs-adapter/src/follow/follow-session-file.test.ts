import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StoredEvent } from '@contextlog/core';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openSession } from '../store/open-session.js';
import { tempDir } from '../testing/temp-dir.js';
import { followSessionFile } from './follow-session-file.js';

// That follow sees the appends of another process is tested in store/multi-process.test.ts.

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(async () => {
  await cleanup();
});

it('never emits a line before its newline is written, and cleans up on unsubscribe', async () => {
  const path = join(dir, 's.jsonl');
  const engine = await openSession(path);
  await engine.setSystemPrompt('sys');
  await engine.close();
  const got: StoredEvent[] = [];
  const subscription = followSessionFile(path, { pollIntervalMs: 20 }).subscribe((e) =>
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

it('errors with SessionReplacedError when the file is replaced', async () => {
  const path = join(dir, 's.jsonl');
  const engine = await openSession(path);
  await engine.setSystemPrompt('sys');
  await engine.close();
  const result = new Promise<unknown>((resolve) =>
    followSessionFile(path, { pollIntervalMs: 20 }).subscribe({ error: resolve }),
  );
  await new Promise((resolve) => setTimeout(resolve, 50));
  const { rename, writeFile } = await import('node:fs/promises');
  await writeFile(join(dir, 'other'), '');
  await rename(join(dir, 'other'), path);
  expect(await result).toMatchObject({ code: 'SESSION_REPLACED' });
});
