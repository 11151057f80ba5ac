import type { DialectOptions, StoredEvent } from '@contextlog/core';
import {
  defaultFileSystem,
  type FileHandleLike,
  type FileSystem,
  openRegularFile,
} from '../fs/file-system.js';
import { createContextlogDecoder } from './contextlog-decoder.js';
import { lineBatches } from './line-batches.js';
import type { Diagnostic, ReadMode, ReadProgress } from './types.js';

/** `dialects`, `estimators`: as `readSessionFile`'s. */
export interface ReadEventsOptions extends DialectOptions {
  readonly mode?: ReadMode;
  readonly fs?: FileSystem;
  /** Receives what lenient mode skipped, and torn-tail warnings. */
  readonly diagnostics?: Diagnostic[];
  /** Called after each chunk of the file was read (for a progress bar). */
  readonly onProgress?: (progress: ReadProgress) => void;
}

/**
 * The events of a contextlog file in seq order, validated as `readSessionFile` validates them
 * (but not folded), streamed chunk by chunk. The file is opened on first `next()` and closed when
 * the iteration ends or is abandoned.
 */
export async function* readSessionEvents(
  path: string,
  options: ReadEventsOptions = {},
): AsyncGenerator<StoredEvent> {
  const fs = options.fs ?? defaultFileSystem;
  // Opens as readSessionFile does: a generator cannot hand its try/finally to a shared helper.
  const handle = await openRegularFile(fs, path);
  try {
    const { size } = await handle.stat();
    yield* eventsOfHandle(handle, {
      path,
      end: size,
      mode: options.mode ?? 'strict',
      ...(options.diagnostics === undefined ? {} : { diagnostics: options.diagnostics }),
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
      dialects: options,
    });
  } finally {
    await handle.close();
  }
}

export interface HandleRange {
  /** The file's name, for errors. */
  readonly path: string;
  /** Where to start: 0 (the default) or a line start. */
  readonly start?: number;
  /** Where to stop (exclusive). */
  readonly end: number;
  readonly mode: ReadMode;
  readonly diagnostics?: Diagnostic[];
  /** Called after each chunk's events were taken (the file store checks it is still open). */
  readonly beforeChunk?: () => void;
  /** Called after each chunk was decoded, with how far into the file it reached. */
  readonly onProgress?: (progress: ReadProgress) => void;
  readonly dialects?: DialectOptions;
}

/** The events in `[start, end)` of an open contextlog file. */
export async function* eventsOfHandle(
  handle: FileHandleLike,
  range: HandleRange,
): AsyncGenerator<StoredEvent> {
  for await (const batch of eventBatchesOfHandle(handle, range)) yield* batch;
}

/** The same events as `eventsOfHandle`, one array per chunk read (never an empty one). */
export async function* eventBatchesOfHandle(
  handle: FileHandleLike,
  { path, start = 0, end, mode, diagnostics = [], beforeChunk, onProgress, dialects }: HandleRange,
): AsyncGenerator<readonly StoredEvent[]> {
  const decoder = createContextlogDecoder(path, mode, diagnostics, dialects);
  let out: StoredEvent[] = [];
  const sink = (event: StoredEvent) => {
    out.push(event);
    return undefined;
  };
  for await (const batch of lineBatches(handle, start, end)) {
    decoder.batch(batch, sink);
    onProgress?.({ bytesRead: Math.min(batch.position, end), totalBytes: end });
    if (out.length > 0) {
      const events = out;
      out = [];
      yield events;
    }
    beforeChunk?.();
  }
}
