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

/**
 * Reads `[start, end)` of a file in chunks into one reused buffer and hands out the complete
 * lines of each chunk: never one string of the whole file, memory bounded by the longest line.
 */
export async function* lineBatches(
  handle: FileHandleLike,
  start: number,
  end: number,
  chunkSize = DEFAULT_CHUNK_SIZE,
): AsyncGenerator<LineBatch> {
  let buf = Buffer.allocUnsafe(Math.max(16, Math.min(chunkSize, Math.max(end - start, 16))));
  let filled = 0;
  let position = start;
  let offset = start;
  while (position < end) {
    if (filled === buf.length) {
      const grown = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(grown, 0, 0, filled);
      buf = grown;
    }
    const want = Math.min(buf.length - filled, end - position);
    const { bytesRead } = await handle.read(buf, filled, want, position);
    if (bytesRead === 0) break;
    filled += bytesRead;
    position += bytesRead;
    // Bytes before the new ones hold no newline (they are the carried partial line).
    const lastNl = buf.lastIndexOf(10, filled - 1);
    if (lastNl === -1) continue;
    const to = lastNl + 1;
    yield { buf, from: 0, to, offset, final: false, tailEnd: to, position };
    offset += to;
    buf.copyWithin(0, to, filled);
    filled -= to;
  }
  yield { buf, from: 0, to: 0, offset, final: true, tailEnd: filled, position };
}
