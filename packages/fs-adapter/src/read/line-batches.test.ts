import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import type { FileHandleLike } from '../fs/file-system.js';
import { type LineBatch, lineBatches } from './line-batches.js';

/**
 * A file in memory whose reads land on a later macrotask (as the thread pool's do), may be short,
 * and may fail; `inFlight` counts reads that have not landed.
 */
function memoryFile(
  bytes: Buffer,
  options: { shortReads?: readonly number[]; failRead?: number } = {},
) {
  let reads = 0;
  const state = { inFlight: 0, reads: 0 };
  const handle: FileHandleLike = {
    read(buffer, offset, length, position) {
      const n = reads++;
      state.reads = reads;
      state.inFlight++;
      return new Promise((resolve, reject) => {
        setImmediate(() => {
          state.inFlight--;
          if (n === options.failRead) {
            reject(Object.assign(new Error('EIO: injected read failure'), { code: 'EIO' }));
            return;
          }
          const short = options.shortReads?.[n % (options.shortReads.length || 1)] ?? length;
          const count = Math.max(0, Math.min(length, short, bytes.length - position));
          bytes.copy(buffer, offset, position, position + count);
          resolve({ bytesRead: count });
        });
      });
    },
    write: () => Promise.reject(new Error('read-only')),
    sync: () => Promise.resolve(),
    truncate: () => Promise.reject(new Error('read-only')),
    stat: () => Promise.resolve({ size: bytes.length, ino: 1, mtime: new Date(0) }),
    close: () => Promise.resolve(),
  };
  return { handle, state };
}

interface Seen {
  lines: Array<{ offset: number; text: string }>;
  tail: { offset: number; text: string } | undefined;
  positions: number[];
}

/** Copies what each batch holds (a batch's buffer is reused once the next one is asked for). */
async function collect(batches: AsyncIterable<LineBatch>): Promise<Seen> {
  const seen: Seen = { lines: [], tail: undefined, positions: [] };
  for await (const batch of batches) {
    let start = batch.from;
    while (start < batch.to) {
      const nl = batch.buf.indexOf(10, start);
      expect(nl).toBeGreaterThanOrEqual(start);
      expect(nl).toBeLessThan(batch.to);
      seen.lines.push({
        offset: batch.offset + (start - batch.from),
        text: batch.buf.toString('latin1', start, nl),
      });
      start = nl + 1;
    }
    seen.positions.push(batch.position);
    if (batch.final) {
      expect(batch.to).toBe(batch.from);
      if (batch.tailEnd > batch.to) {
        seen.tail = {
          offset: batch.offset,
          text: batch.buf.toString('latin1', batch.to, batch.tailEnd),
        };
      }
    }
  }
  return seen;
}

/** What the batches must hold: the lines of `bytes[start, end)` and its unterminated tail. */
function expected(bytes: Buffer, start: number) {
  const lines: Array<{ offset: number; text: string }> = [];
  let from = start;
  for (;;) {
    const nl = bytes.indexOf(10, from);
    if (nl === -1) break;
    lines.push({ offset: from, text: bytes.toString('latin1', from, nl) });
    from = nl + 1;
  }
  const tail =
    from < bytes.length ? { offset: from, text: bytes.toString('latin1', from) } : undefined;
  return { lines, tail };
}

const content = fc
  .array(fc.oneof(fc.string({ maxLength: 40 }), fc.constant('')), { maxLength: 30 })
  .chain((lines) =>
    fc
      .string({ maxLength: 50 })
      .map((tail) =>
        Buffer.from(
          lines.map((line) => `${line.replace(/\n/g, '')}\n`).join('') + tail.replace(/\n/g, ''),
          'latin1',
        ),
      ),
  );

describe('lineBatches', () => {
  test.prop(
    [
      content,
      fc.integer({ min: 1, max: 64 }),
      fc.boolean(),
      fc.array(fc.integer({ min: 1, max: 70 }), { maxLength: 4 }),
      fc.nat(),
    ],
    { numRuns: 200 },
  )(
    'hands out every line once, in order, at its offset, and the tail, whatever the chunk size, short reads and prefetch',
    async (bytes, chunkSize, prefetch, shortReads, startSeed) => {
      // Start at 0 or just after some newline, as callers do.
      const starts = [0, ...[...bytes.entries()].filter(([, b]) => b === 10).map(([i]) => i + 1)];
      const start = starts[startSeed % starts.length] ?? 0;
      const { handle, state } = memoryFile(bytes, { shortReads });
      const seen = await collect(lineBatches(handle, start, bytes.length, { chunkSize, prefetch }));
      const want = expected(bytes, start);
      expect(seen.lines).toEqual(want.lines);
      expect(seen.tail).toEqual(want.tail);
      expect(seen.positions.at(-1)).toBe(bytes.length);
      expect(state.inFlight).toBe(0);
    },
  );

  it('stops at `end` even when the file is longer', async () => {
    const bytes = Buffer.from('a\nb\nc\nd\n');
    for (const prefetch of [false, true]) {
      const { handle } = memoryFile(bytes);
      const seen = await collect(lineBatches(handle, 2, 6, { chunkSize: 2, prefetch }));
      expect(seen.lines).toEqual([
        { offset: 2, text: 'b' },
        { offset: 4, text: 'c' },
      ]);
      expect(seen.tail).toBeUndefined();
    }
  });

  // Eight lines of 8 bytes: two per 16-byte chunk (the smallest buffer lineBatches uses).
  const eight = Buffer.from([0, 1, 2, 3, 4, 5, 6, 7].map((i) => `line-0${i}\n`).join(''));

  it('prefetch: reads the next chunk while the caller works on a batch', async () => {
    const bytes = eight;
    const { handle, state } = memoryFile(bytes);
    const inFlightDuringBatch: number[] = [];
    for await (const batch of lineBatches(handle, 0, bytes.length, {
      chunkSize: 16,
      prefetch: true,
    })) {
      if (!batch.final) inFlightDuringBatch.push(state.inFlight);
    }
    expect(inFlightDuringBatch).toEqual([1, 1, 1, 0]);
    const plain = memoryFile(bytes);
    const without: number[] = [];
    for await (const batch of lineBatches(plain.handle, 0, bytes.length, { chunkSize: 16 })) {
      if (!batch.final) without.push(plain.state.inFlight);
    }
    expect(without).toEqual([0, 0, 0, 0]);
  });

  it('prefetch: a caller that stops early returns only after the read in flight landed', async () => {
    const bytes = eight;
    const { handle, state } = memoryFile(bytes);
    const stop = new Error('caller stops');
    await expect(
      (async () => {
        for await (const _ of lineBatches(handle, 0, bytes.length, {
          chunkSize: 16,
          prefetch: true,
        })) {
          expect(state.inFlight).toBe(1);
          throw stop;
        }
      })(),
    ).rejects.toBe(stop);
    expect(state.inFlight).toBe(0);
  });

  it('prefetch: a failed read surfaces as the next step of the iteration, never unhandled', async () => {
    const bytes = eight;
    const { handle } = memoryFile(bytes, { failRead: 1 });
    const lines: string[] = [];
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await expect(
        (async () => {
          for await (const batch of lineBatches(handle, 0, bytes.length, {
            chunkSize: 16,
            prefetch: true,
          })) {
            lines.push(batch.buf.toString('latin1', batch.from, batch.to));
            // The failing read lands while the caller is busy elsewhere.
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
        })(),
      ).rejects.toThrow('EIO');
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(lines).toEqual(['line-00\nline-01\n']);
    expect(unhandled).toEqual([]);
  });
});
