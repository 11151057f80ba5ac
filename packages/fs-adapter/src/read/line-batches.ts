import type { FileHandleLike } from '../fs/file-system.js';

export const DEFAULT_CHUNK_SIZE = 1 << 20;

/**
 * A run of lines in the reused buffer: `buf[from, to)` holds complete lines, each ending in `\n`,
 * the first starting at file byte `offset`. The last batch (`final`) may end with an unterminated
 * tail `buf[to, tailEnd)`. The buffer is reused: a batch is valid until the next one is asked for.
 */
export interface LineBatch {
  readonly buf: Buffer;
  readonly from: number;
  readonly to: number;
  readonly offset: number;
  readonly final: boolean;
  readonly tailEnd: number;
  /** File bytes read so far (for progress). */
  readonly position: number;
}

export interface LineBatchOptions {
  readonly chunkSize?: number;
  /**
   * Read the next chunk (into a second buffer) while the caller works on the current batch, so
   * the read overlaps the decoding instead of adding to it. The read then runs ahead of the
   * caller by one chunk: only for callers that need nothing to happen between two reads.
   */
  readonly prefetch?: boolean;
}

/**
 * Reads `[start, end)` of a file in chunks into one reused buffer (two with `prefetch`) and
 * hands out the complete lines of each chunk: never one string of the whole file, memory bounded
 * by the longest line.
 */
export async function* lineBatches(
  handle: FileHandleLike,
  start: number,
  end: number,
  { chunkSize = DEFAULT_CHUNK_SIZE, prefetch = false }: LineBatchOptions = {},
): AsyncGenerator<LineBatch> {
  const size = Math.max(16, Math.min(chunkSize, Math.max(end - start, 16)));
  let buf: Buffer = Buffer.allocUnsafe(size);
  let spare: Buffer | undefined = prefetch ? Buffer.allocUnsafe(size) : undefined;
  let filled = 0;
  let position = start;
  let offset = start;
  // At most one read in flight, always into `buf` after its first `filled` bytes, at file byte
  // `position`.
  let pending: Promise<number> | undefined;
  const readMore = (): Promise<number> => {
    const want = Math.min(buf.length - filled, end - position);
    const read = handle.read(buf, filled, want, position).then((r) => r.bytesRead);
    // Awaited later (after the caller's work on a batch): never an unhandled rejection meanwhile.
    read.catch(() => undefined);
    return read;
  };
  try {
    for (;;) {
      if (pending === undefined) {
        if (position >= end) break;
        if (filled === buf.length) {
          const grown = Buffer.allocUnsafe(buf.length * 2);
          buf.copy(grown, 0, 0, filled);
          buf = grown;
        }
        pending = readMore();
      }
      const bytesRead = await pending;
      pending = undefined;
      if (bytesRead === 0) break;
      filled += bytesRead;
      position += bytesRead;
      // Bytes before the new ones hold no newline (they are the carried partial line).
      const lastNl = buf.lastIndexOf(10, filled - 1);
      if (lastNl === -1) continue;
      const to = lastNl + 1;
      const batch: LineBatch = { buf, from: 0, to, offset, final: false, tailEnd: to, position };
      if (spare === undefined) {
        yield batch;
        buf.copyWithin(0, to, filled);
        filled -= to;
      } else {
        // The partial line moves to the spare buffer, which the next read fills while the caller
        // works on this batch; the buffers swap roles.
        const next: Buffer = spare.length < buf.length ? Buffer.allocUnsafe(buf.length) : spare;
        buf.copy(next, 0, to, filled);
        spare = buf;
        buf = next;
        filled -= to;
        if (position < end) pending = readMore();
        yield batch;
      }
      offset += to;
    }
    yield { buf, from: 0, to: 0, offset, final: true, tailEnd: filled, position };
  } finally {
    // Abandoned (the caller threw or stopped) with a read in flight: let it land before the caller
    // closes the handle.
    if (pending !== undefined) await pending.catch(() => undefined);
  }
}
