import type { StoredEvent } from '@contextlog/core';
import { createFold } from '@contextlog/core/store';
import { defaultFileSystem, type FileHandleLike, openRegularFile } from '../fs/file-system.js';
import { createContextlogDecoder, replayingSink } from './contextlog-decoder.js';
import { detectFormat } from './detect-format.js';
import { createKimiDecoder } from './kimi-decoder.js';
import { lineBatches } from './line-batches.js';
import type { Diagnostic, ReadSessionOptions, ReadSessionResult } from './types.js';

/**
 * Replays a session file into state without changing it (no lock, read-only): streaming, in
 * chunks, so memory is that of the state (plus the events, if asked for). Strict mode throws
 * `CorruptSessionError` (path, line, byte offset, reason) at the first corruption.
 */
export async function readSessionFile(
  path: string,
  options: ReadSessionOptions = {},
): Promise<ReadSessionResult> {
  const fs = options.fs ?? defaultFileSystem;
  const handle = await openRegularFile(fs, path);
  try {
    return await readOpenSession(handle, path, options);
  } finally {
    await handle.close();
  }
}

/** `readSessionFile` on an open handle, up to `end` (the file size by default). */
export async function readOpenSession(
  handle: FileHandleLike,
  path: string,
  options: ReadSessionOptions = {},
  end?: number,
): Promise<ReadSessionResult> {
  const mode = options.mode ?? 'strict';
  const stat = await handle.stat();
  const size = end ?? stat.size;
  const format =
    options.format === undefined || options.format === 'auto'
      ? await detectFormat(handle, size, path)
      : options.format;
  const diagnostics: Diagnostic[] = [];
  const replayer = createFold();
  const events: StoredEvent[] | undefined = options.withEvents ? [] : undefined;
  const sink = replayingSink(replayer, events);
  const progress = (bytesRead: number) =>
    options.onProgress?.({ bytesRead: Math.min(bytesRead, size), totalBytes: size });

  if (format === 'contextlog') {
    const decoder = createContextlogDecoder(path, mode, diagnostics);
    for await (const batch of lineBatches(handle, 0, size, { prefetch: true })) {
      decoder.batch(batch, sink);
      progress(batch.position);
    }
    return {
      format,
      state: replayer.state,
      diagnostics,
      counts: {
        lines: decoder.lines,
        events: decoder.events,
        skipped: decoder.skipped,
        blank: 0,
        bytes: size,
      },
      ...(decoder.header === undefined ? {} : { header: decoder.header }),
      ...(events === undefined ? {} : { events }),
    };
  }
  const decoder = createKimiDecoder(path, mode, diagnostics, stat.mtime.toISOString());
  for await (const batch of lineBatches(handle, 0, size, { prefetch: true })) {
    decoder.batch(batch, sink);
    progress(batch.position);
  }
  decoder.finish();
  return {
    format,
    state: replayer.state,
    diagnostics,
    counts: {
      lines: decoder.lines,
      events: decoder.records,
      skipped: decoder.skipped,
      blank: decoder.blank,
      bytes: size,
    },
    ...(events === undefined ? {} : { events }),
  };
}
