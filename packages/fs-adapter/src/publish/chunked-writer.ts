import { type FileHandleLike, writeFully } from '../fs/file-system.js';

/** Bytes gathered in memory, written in chunks of about `chunkBytes` at increasing positions. */
export interface ChunkedWriter {
  push(bytes: Buffer): Promise<void>;
  /** Writes what is gathered. */
  flush(): Promise<void>;
  /** Bytes written so far (after the last flush). */
  readonly position: number;
}

/** For a new file written from its start: few large writes instead of one per line. */
export function createChunkedWriter(handle: FileHandleLike, chunkBytes = 1 << 20): ChunkedWriter {
  let position = 0;
  let chunk: Buffer[] = [];
  let gathered = 0;
  const flush = async () => {
    const bytes = Buffer.concat(chunk, gathered);
    chunk = [];
    gathered = 0;
    await writeFully(handle, bytes, position);
    position += bytes.length;
  };
  return {
    async push(bytes) {
      chunk.push(bytes);
      gathered += bytes.length;
      if (gathered >= chunkBytes) await flush();
    },
    flush,
    get position() {
      return position;
    },
  };
}
