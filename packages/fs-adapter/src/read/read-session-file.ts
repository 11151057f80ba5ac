import type { StoredEvent } from '@contextlog/core';
import { createFold } from '@contextlog/core/store';
import { UnknownFormatError } from '../errors.js';
import { defaultFileSystem, type FileHandleLike, openRegularFile } from '../fs/file-system.js';
import { replayingSink } from './contextlog-decoder.js';
import { contextlogFormat } from './contextlog-format.js';
import { detectFormat } from './detect-format.js';
import { lineBatches } from './line-batches.js';
import type { SessionFormat } from './session-format.js';
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

/** The formats a reader was given (contextlog only by default); refuses an empty list. */
function formatsOf(options: {
  readonly formats?: readonly SessionFormat[];
}): readonly SessionFormat[] {
  const formats = options.formats ?? [contextlogFormat];
  if (formats.length === 0) throw new UnknownFormatError(undefined, []);
  return formats;
}

/** The format a reader was told to use, by name, or the one the content names (`'auto'`). */
async function chooseFormat(
  handle: FileHandleLike,
  size: number,
  path: string,
  options: ReadSessionOptions,
): Promise<SessionFormat> {
  const formats = formatsOf(options);
  if (options.format === undefined || options.format === 'auto') {
    return detectFormat(handle, size, path, formats);
  }
  const named = formats.find((format) => format.name === options.format);
  if (named === undefined) {
    throw new UnknownFormatError(
      options.format,
      formats.map((format) => format.name),
    );
  }
  return named;
}

/** `readSessionFile` on an open handle, up to `end` (the file size by default). */
export async function readOpenSession(
  handle: FileHandleLike,
  path: string,
  options: ReadSessionOptions = {},
  end?: number,
): Promise<ReadSessionResult> {
  const stat = await handle.stat();
  const size = end ?? stat.size;
  const format = await chooseFormat(handle, size, path, options);
  const diagnostics: Diagnostic[] = [];
  const replayer = createFold(undefined, options);
  const events: StoredEvent[] | undefined = options.withEvents ? [] : undefined;
  const sink = replayingSink(replayer, events, options.onEvent);
  const decoder = format.createDecoder({
    source: path,
    mode: options.mode ?? 'strict',
    diagnostics,
    modified: stat.mtime.toISOString(),
    dialects: options,
  });
  for await (const batch of lineBatches(handle, 0, size, { prefetch: true })) {
    decoder.batch(batch, sink);
    options.onProgress?.({ bytesRead: Math.min(batch.position, size), totalBytes: size });
  }
  decoder.finish();
  const { header, tornTail } = decoder;
  return {
    format: format.name,
    state: replayer.state,
    diagnostics,
    counts: {
      lines: decoder.lines,
      events: decoder.events,
      skipped: decoder.skipped,
      blank: decoder.blank,
      bytes: size,
    },
    ...(header === undefined ? {} : { header }),
    ...(events === undefined ? {} : { events }),
    ...(tornTail === undefined ? {} : { tornTail }),
  };
}
