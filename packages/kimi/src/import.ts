import {
  type ContextState,
  CorruptSessionError,
  describeError as describe,
} from '@contextlog/core';
import { createFold } from '@contextlog/core/store';
import {
  type Diagnostic,
  type Durability,
  defaultFileSystem,
  type FileHandleLike,
  type FileSystem,
  headerLine,
  type ReadMode,
  type ReadProgress,
} from '@contextlog/fs-adapter';
import {
  checkOutPath,
  detectFormatDetail,
  type EventSink,
  lineBatches,
  openRegularFile,
  openTemporary,
  publishFile,
  removeQuietly,
} from '@contextlog/fs-adapter/formats';
import { createEventLineWriter } from './event-line-writer.js';
import { createKimiDecoder } from './kimi-decoder.js';
import { KIMI_AND_CONTEXTLOG } from './kimi-format.js';

/** Written data is fsynced along the way in steps of this size (see EventLineWriter). */
const EARLY_SYNC_BYTES = 16 << 20;

export interface ImportKimiOptions {
  /** `'strict'` (default) refuses a file with a malformed line; `'lenient'` skips such lines. */
  readonly mode?: ReadMode;
  /** Replace an existing `outPath` (default: refuse with `TargetExistsError`). */
  readonly force?: boolean;
  /** Durability of the new session (default `'fsync'`: fsynced before it is moved into place). */
  readonly durability?: Durability;
  /**
   * Also return the imported session's state (default false). Without it the import keeps no
   * message in memory: a large file converts in the memory of a few write buffers.
   */
  readonly withState?: boolean;
  readonly fs?: FileSystem;
  /** Called after each chunk of the kimi-cli file was converted (for a progress bar). */
  readonly onProgress?: (progress: ReadProgress) => void;
}

export interface ImportKimiResult {
  readonly outPath: string;
  /** The imported session's state (the kimi-cli file's, as kimi-cli restores it), if asked for. */
  readonly state?: ContextState;
  /** Events written: one per record (seq 1 … n); also the new session's seq. */
  readonly events: number;
  /** Messages in the imported history. */
  readonly messages: number;
  /** What reading the kimi-cli file reported (skipped lines, data kimi-cli would lose). */
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Converts a kimi-cli `context.jsonl` into a contextlog session that replays to the same state:
 * one event per record, in file order (`_system_prompt` → `system_prompt.set`, `_usage` →
 * `usage.recorded`, `_checkpoint` → `checkpoint.created` without a user message, a message →
 * `messages.appended`), stamped with the kimi-cli file's modification time, streamed chunk by
 * chunk (memory: two write buffers, and the state if `withState`). The session is written beside `outPath`,
 * fsynced, and only then moved into place, so a failure (a malformed line in strict mode …) leaves
 * nothing behind. An existing `outPath` is refused (`TargetExistsError`) unless `force`; one that
 * is no regular file (a directory or a name ending in `/`, a device, a FIFO) is refused with
 * `NotAFileError` even with `force`, a missing directory with `DirectoryNotFoundError`.
 *
 * What guarantees the file replays to the kimi-cli file's state: each record is decoded once,
 * folded (into the state, with `withState`), and that same event is written: `JSON.stringify` of it, or, for a message line
 * that is the message as is (`isPlainKimiMessage`: valid UTF-8, parsed without rewriting, nothing
 * normalized), the event's envelope around the line's own bytes, which `JSON.parse` reads as the
 * same value (a JSON text inside an array is the same value). The file's size is checked against
 * the bytes written; tests re-read imports with `readSessionFile` and compare states.
 */
export function importKimiSession(
  kimiPath: string,
  outPath: string,
  options: ImportKimiOptions & { readonly withState: true },
): Promise<ImportKimiResult & { readonly state: ContextState }>;
export function importKimiSession(
  kimiPath: string,
  outPath: string,
  options?: ImportKimiOptions,
): Promise<ImportKimiResult>;
export async function importKimiSession(
  kimiPath: string,
  outPath: string,
  options: ImportKimiOptions = {},
): Promise<ImportKimiResult> {
  // Begins as exportKimiSession and forkSession do: writers of a new file take IN, OUT, options.
  const fs = options.fs ?? defaultFileSystem;
  const force = options.force ?? false;
  await checkOutPath(fs, outPath, { force });
  let temporary: string | undefined;
  try {
    const input = await openRegularFile(fs, kimiPath);
    try {
      const { size, mtime } = await input.stat();
      await refuseContextlog(input, size, kimiPath);
      const { path, handle: output } = await openTemporary(fs, outPath);
      temporary = path;
      try {
        const imported = await convert(input, size, mtime.toISOString(), output, kimiPath, options);
        if ((options.durability ?? 'fsync') === 'fsync') await output.sync();
        await output.close();
        // publishFile removes the temporary file itself, whatever happens.
        temporary = undefined;
        await publishFile(fs, path, outPath, { replace: force });
        return { outPath, ...imported };
      } catch (error) {
        await output.close().catch(() => undefined);
        throw error;
      }
    } finally {
      await input.close();
    }
  } catch (error) {
    if (temporary !== undefined) await removeQuietly(fs, temporary);
    throw error;
  }
}

/** Refused only when a line says contextlog: a file nothing can be told of is kimi-cli's. */
async function refuseContextlog(input: FileHandleLike, size: number, path: string) {
  const detected = await detectFormatDetail(input, size, path, KIMI_AND_CONTEXTLOG).catch(
    () => undefined,
  );
  if (detected?.positive === true && detected.format.name === 'contextlog') {
    throw new CorruptSessionError(
      path,
      1,
      0,
      'a contextlog session, not a kimi-cli context.jsonl: nothing to import',
    );
  }
}

/**
 * kimi-cli's rules, line by line, through the decoder `readSessionFile` uses (kimi-decoder.ts,
 * which hands a plain message line's own bytes to the sink so they can be spliced; import.test.ts
 * compares both, state and diagnostics, on every fixture and on spelling edge cases): records fold in file order
 * with seq = records folded; an invalid line is an error unless it is the last non-blank line
 * (then a warning, as is an undecodable unterminated tail); a last line without `\n` that decodes
 * is a record. Each record's event is written as it is folded.
 */
async function convert(
  input: FileHandleLike,
  size: number,
  at: string,
  output: FileHandleLike,
  source: string,
  options: ImportKimiOptions,
): Promise<Omit<ImportKimiResult, 'outPath'>> {
  const diagnostics: Diagnostic[] = [];
  // kimi-cli records fold as system_prompt.set, usage.recorded, checkpoint.created (without a
  // message) and messages.appended, none of which can be refused by the projection, so the state
  // is needed only when the caller asks for it; not keeping it is what makes a large import cheap
  // (the retained messages were most of its time, in the garbage collector).
  const replayer = options.withState === true ? createFold() : undefined;
  let messages = 0;
  const durable = (options.durability ?? 'fsync') === 'fsync';
  const writer = createEventLineWriter(output, at, durable ? EARLY_SYNC_BYTES : undefined);
  writer.text(headerLine());
  const decoder = createKimiDecoder(source, options.mode ?? 'strict', diagnostics, at);
  // The decoder turns what a sink throws into a problem with the line; a failure of the writer
  // is none, so it is kept here and thrown after the batch.
  let writeFailure: { error: unknown } | undefined;
  const sink: EventSink = (event, _line, _offset, raw, start = 0, end = 0) => {
    try {
      replayer?.apply(event);
    } catch (error) {
      return `${event.type} cannot apply: ${describe(error)}`;
    }
    if (event.type === 'messages.appended') messages += event.data.messages.length;
    try {
      if (raw === undefined) writer.event(event);
      else writer.splicedMessage(event.seq, raw, start, end);
    } catch (error) {
      writeFailure ??= { error };
    }
    return undefined;
  };
  try {
    for await (const lines of lineBatches(input, 0, size)) {
      decoder.batch(lines, sink);
      if (writeFailure !== undefined) throw writeFailure.error;
      await writer.flush();
      options.onProgress?.({ bytesRead: Math.min(lines.position, size), totalBytes: size });
    }
    decoder.finish();
    const written = await writer.finish();
    const { size: onDisk } = await output.stat();
    if (onDisk !== written) {
      throw new Error(
        `internal error: the import of ${source} wrote ${written} bytes but the new file holds ${onDisk}`,
      );
    }
  } catch (error) {
    await writer.abandon();
    throw error;
  }
  return {
    ...(replayer === undefined ? {} : { state: replayer.state }),
    events: decoder.events,
    messages,
    diagnostics,
  };
}
