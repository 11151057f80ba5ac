import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { deleteFileSession } from '../catalog/delete-file.js';
import { openFileStore } from '../store/file-store.js';
import { openFileSession } from '../store/open-session.js';
import { it } from '../testing/vitest.js';

// A lock file with a live owner, whatever the process: a second open in this process is refused
// as one in another process would be, which is what `lock.waitMs` is about.
it('refuses a second writer at once by default, waits with lock.waitMs', async ({ dir }) => {
  const path = join(dir, 's.jsonl');
  const first = await openFileStore(path);
  await expect(openFileStore(path)).rejects.toMatchObject({ code: 'SESSION_LOCKED' });
  const started = Date.now();
  await expect(openFileStore(path, { lock: { waitMs: 60 } })).rejects.toMatchObject({
    code: 'SESSION_LOCKED',
  });
  expect(Date.now() - started).toBeGreaterThanOrEqual(55);
  const waiting = openFileSession(path, { lock: { waitMs: 10_000 } });
  setTimeout(() => void first.close(), 100);
  const second = await waiting;
  await second.appendMessages({ role: 'user', content: 'after the first writer' });
  await expect(deleteFileSession(path)).rejects.toMatchObject({ code: 'SESSION_LOCKED' });
  const deleting = deleteFileSession(path, { lock: { waitMs: 10_000 } });
  setTimeout(() => void second.close(), 50);
  expect((await deleting).bytes).toBeGreaterThan(0);
});

it.for([-1, Number.NaN, Number.POSITIVE_INFINITY])(
  'refuses lock.waitMs %s with a ValidationError, creating nothing',
  async (waitMs, { dir }) => {
    await expect(openFileStore(join(dir, 's.jsonl'), { lock: { waitMs } })).rejects.toMatchObject({
      code: 'VALIDATION',
      path: 'lock.waitMs',
    });
    expect(await readdir(dir)).toEqual([]);
  },
);
