import { expect, test } from 'vitest';
import { createCommitQueue } from './commit-queue.js';

test('appends queued in the same tick form one batch; later ones the next', async () => {
  const batches: number[][] = [];
  const queue = createCommitQueue<number>(async (batch) => {
    batches.push([...batch]);
  }, Number.MAX_SAFE_INTEGER);
  await Promise.all([1, 2, 3].map((n) => queue.append(n)));
  await queue.append(4);
  expect(batches).toEqual([[1, 2, 3], [4]]);
});

test('maxBatch 1 commits one item at a time, in call order, never two at once', async () => {
  const committed: number[] = [];
  let running = 0;
  let overlapped = false;
  const queue = createCommitQueue<number>(async (batch) => {
    running++;
    if (running > 1) overlapped = true;
    await new Promise((resolve) => setTimeout(resolve, 1));
    committed.push(...batch);
    running--;
  }, 1);
  await Promise.all([1, 2, 3, 4].map((n) => queue.append(n)));
  expect(committed).toEqual([1, 2, 3, 4]);
  expect(overlapped).toBe(false);
});

test('a failed commit rejects its batch only; the queue goes on', async () => {
  const queue = createCommitQueue<number>((batch) => {
    if (batch.includes(2)) throw new Error('disk full');
  }, 1);
  const results = await Promise.allSettled([1, 2, 3].map((n) => queue.append(n)));
  expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
});
