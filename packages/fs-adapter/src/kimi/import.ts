import {
  type ContextState,
  CorruptSessionError,
  createReplayer,
  type StoredEvent,
  stateToJson,
} from '@contextlog/core';
import { defaultFileSystem, type FileSystem, openRegularFile } from '../fs/file-system.js';
import type { EventSink } from '../read/contextlog-decoder.js';
import { detectFormatDetail } from '../read/detect-format.js';
import { createKimiDecoder } from '../read/kimi-decoder.js';
import { lineBatches } from '../read/line-batches.js';
import { readSessionFile } from '../read/read-session-file.js';
import type { Diagnostic, ReadMode } from '../read/types.js';
import { type Durability, openFileStore } from '../store/file-store.js';
import { stableJson } from './kimi-state.js';
import { publishFile, refuseExisting, removeQuietly, temporaryPathFor } from './publish-file.js';

export interface ImportKimiOptions {
  /** `'strict'` (default) refuses a file with a malformed line; `'lenient'` skips such lines. */
  readonly mode?: ReadMode;
  /** Replace an existing `outPath` (default: refuse with `TargetExistsError`). */
  readonly force?: boolean;
  /** Durability of the new session's writes (default `'fsync'`). */
  readonly durability?: Durability;
  readonly fs?: FileSystem;
}

export interface ImportKimiResult {
  readonly outPath: string;
  /** The imported session's state: the kimi-cli file's, as kimi-cli restores it. */
  readonly state: ContextState;
  /** Events written: one per record (seq 1 … n). */
  readonly events: number;
  /** What reading the kimi-cli file reported (skipped lines, data kimi-cli would lose). */
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Converts a kimi-cli `context.jsonl` into a contextlog session that replays to the same state:
 * one event per record, in file order (`_system_prompt` → `system_prompt.set`, `_usage` →
 * `usage.recorded`, `_checkpoint` → `checkpoint.created` without a user message, a message →
 * `messages.appended`), stamped with the kimi-cli file's modification time, streamed chunk by
 * chunk. The session is built beside `outPath`, read back and compared, and only then moved into
 * place, so a failure (a malformed line in strict mode …) leaves nothing behind. An existing
 * `outPath` is refused (`TargetExistsError`) unless `force`.
 */
export async function importKimiSession(
  kimiPath: string,
  outPath: string,
  options: ImportKimiOptions = {},
): Promise<ImportKimiResult> {
  const fs = options.fs ?? defaultFileSystem;
  const force = options.force ?? false;
  if (!force) await refuseExisting(fs, outPath);
  const temporary = temporaryPathFor(outPath);
  try {
    const imported = await streamInto(kimiPath, temporary, options, fs);
    const written = await readSessionFile(temporary, { format: 'contextlog', fs });
    // Key order aside: the contextlog reader's validation may reorder a message's fields.
    if (stableJson(stateToJson(written.state)) !== stableJson(stateToJson(imported.state))) {
      throw new Error(
        `internal error: the imported session of ${kimiPath} does not replay to its state`,
      );
    }
    await publishFile(fs, temporary, outPath, force);
    return { outPath, ...imported };
  } catch (error) {
    await removeQuietly(fs, temporary);
    throw error;
  }
}

/**
 * Decodes the kimi-cli file chunk by chunk (as `readSessionFile` does) and appends each chunk's
 * records to a new session at `path` as one batch: memory stays that of the state.
 */
async function streamInto(
  kimiPath: string,
  path: string,
  options: ImportKimiOptions,
  fs: FileSystem,
): Promise<Omit<ImportKimiResult, 'outPath'>> {
  const handle = await openRegularFile(fs, kimiPath);
  try {
    const { size, mtime } = await handle.stat();
    // Refused only when a line says contextlog: a file nothing can be told of (malformed lines
    // only, a torn single line) is read as kimi-cli's, whose rules then judge each line.
    const detected = await detectFormatDetail(handle, size, kimiPath).catch(() => undefined);
    if (detected?.positive === true && detected.format === 'contextlog') {
      throw new CorruptSessionError(
        kimiPath,
        1,
        0,
        'a contextlog session, not a kimi-cli context.jsonl: nothing to import',
      );
    }
    const diagnostics: Diagnostic[] = [];
    const decoder = createKimiDecoder(
      kimiPath,
      options.mode ?? 'strict',
      diagnostics,
      mtime.toISOString(),
    );
    const replayer = createReplayer();
    let batch: StoredEvent[] = [];
    const sink: EventSink = (event) => {
      replayer.apply(event);
      batch.push(event);
      return undefined;
    };
    const durability = options.durability;
    const store = await openFileStore(path, {
      fs,
      ...(durability === undefined ? {} : { durability }),
    });
    try {
      for await (const lines of lineBatches(handle, 0, size)) {
        decoder.batch(lines, sink);
        if (batch.length > 0) {
          await store.append(batch, { expectedSeq: replayer.seq - batch.length });
          batch = [];
        }
      }
      decoder.finish();
    } finally {
      await store.close();
    }
    return { state: replayer.state, events: replayer.seq, diagnostics };
  } finally {
    await handle.close();
  }
}
