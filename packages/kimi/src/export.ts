import type { ContextState, StoredEvent } from '@contextlog/core';
import { createFold } from '@contextlog/core/store';
import {
  type Diagnostic,
  defaultFileSystem,
  type FileSystem,
  type ReadMode,
  type ReadProgress,
  type SessionFormatName,
} from '@contextlog/fs-adapter';
import {
  checkOutPath,
  openRegularFile,
  openTemporary,
  publishFile,
  readOpenSession,
  removeQuietly,
} from '@contextlog/fs-adapter/formats';
import { checkedLine, type LiveMessages } from './checked-line.js';
import { KimiExportError } from './errors.js';
import { createEventLineWriter, type EventLineWriter } from './event-line-writer.js';
import { createKimiEncoder } from './kimi-encoder.js';
import { KIMI_AND_CONTEXTLOG } from './kimi-format.js';
import { kimiStateDifference } from './kimi-state.js';

export interface ExportKimiOptions {
  /** Replace an existing `outPath` (default: refuse with `TargetExistsError`). */
  readonly force?: boolean;
  /** How the source is read: `'strict'` (default) or `'lenient'`. */
  readonly mode?: ReadMode;
  readonly fs?: FileSystem;
  /** Called as the source is read (for a progress bar). */
  readonly onProgress?: (progress: ReadProgress) => void;
}

export interface ExportKimiResult {
  readonly outPath: string;
  /** The format of the source (a kimi-cli file can be re-exported, normalized). */
  readonly sourceFormat: SessionFormatName;
  /** The source's state, which the written file restores to (metadata and seq aside). */
  readonly state: ContextState;
  /** Lines written (system prompt, checkpoint, usage and message records). */
  readonly lines: number;
  /** What kimi-cli cannot hold and was dropped (metadata). */
  readonly warnings: readonly string[];
  /** What reading the source reported. */
  readonly diagnostics: readonly Diagnostic[];
}

// Lines gathered before a write starts (the next chunk fills while it runs).
const FLUSH_BYTES = 1 << 20;

/**
 * Writes a session's live history as a kimi-cli `context.jsonl` that kimi-cli restores to the
 * same state (system prompt, messages, token count, pending estimate, next checkpoint id and the
 * checkpoint marks, so its `revert_to` behaves as contextlog's `revertTo`): the system prompt
 * first, then checkpoint, usage and message records in live-history order. Every line is decoded
 * back as it is written and the restored state compared with the source's.
 *
 * - Not written, by design: reverted, cleared and compacted-away content; earlier system prompts;
 *   seq numbers and timestamps (kimi-cli has neither).
 * - Dropped with a warning: metadata (kimi-cli has no place for it).
 * - Refused with `KimiExportError`, nothing written: a live message with a content part of a type
 *   kimi-cli does not know (its restore crashes), and any history kimi-cli's restore would give
 *   back differently (say, a next checkpoint id that is not the last live checkpoint's id + 1,
 *   after a revert among non-consecutive ids; a snapshot whose marks no records give).
 * - Kept, though kimi-cli ignores them on read: extra fields of messages, parts and tool calls.
 * - Written better than kimi-cli writes it: a tool call's null `arguments` as an explicit null,
 *   which kimi-cli reads back (its own writer omits it and then loses the message).
 *
 * An existing `outPath` is refused (`TargetExistsError`) unless `force`; one that is no regular
 * file (a directory or a name ending in `/`, a device, a FIFO) is refused with `NotAFileError`
 * even with `force`, a missing directory with `DirectoryNotFoundError`.
 */
export async function exportKimiSession(
  contextlogPath: string,
  outPath: string,
  options: ExportKimiOptions = {},
): Promise<ExportKimiResult> {
  // Begins as importKimiSession and forkSession do: writers of a new file take IN, OUT, options.
  const fs = options.fs ?? defaultFileSystem;
  const mode = options.mode ?? 'strict';
  const force = options.force ?? false;
  await checkOutPath(fs, outPath, { force });

  const { state, encoder, diagnostics, format } = await foldSource(
    contextlogPath,
    mode,
    fs,
    options.onProgress,
  );
  const warnings: string[] = [];
  const metadataKeys = Object.keys(state.metadata);
  if (metadataKeys.length > 0) {
    warnings.push(
      `metadata dropped (kimi-cli has no place for it): ${metadataKeys.map((key) => JSON.stringify(key)).join(', ')}`,
    );
  }

  const { path: temporary, handle } = await openTemporary(fs, outPath);
  let lines = 0;
  let out: EventLineWriter | undefined;
  try {
    const restored = createFold();
    const live: LiveMessages = { messages: state.messages, next: 0 };
    // Lines are encoded into reused buffers, never a Buffer per line.
    out = createEventLineWriter(handle, '');
    for (const line of encoder.lines()) {
      checkedLine(contextlogPath, line, restored, live);
      out.line(line);
      lines++;
      if (out.buffered >= FLUSH_BYTES) await out.flush();
    }
    await out.finish();
    // After an edit dropped checkpoints, kimi-cli numbers the next one after the last that stays.
    const renumbered = encoder.droppedCheckpointIds;
    if (renumbered && restored.state.nextCheckpointId !== state.nextCheckpointId) {
      warnings.push(
        `checkpoint ids: an edit dropped checkpoints; kimi-cli will number its next checkpoint ${restored.state.nextCheckpointId}, where contextlog would use ${state.nextCheckpointId} (it never reuses an id)`,
      );
    }
    const difference = kimiStateDifference(state, restored.state, {
      ignoreNextCheckpointId: renumbered,
      messagesCompared: true,
    });
    if (difference !== undefined) {
      throw new KimiExportError(
        contextlogPath,
        `kimi-cli would not restore the same state (${difference})`,
      );
    }
    await handle.sync();
    await handle.close();
  } catch (error) {
    await out?.abandon();
    await handle.close().catch(() => undefined);
    await removeQuietly(fs, temporary);
    throw error;
  }
  // publishFile removes the temporary file itself, whatever happens.
  await publishFile(fs, temporary, outPath, { replace: force });
  return { outPath, sourceFormat: format, state, lines, warnings, diagnostics };
}

interface FoldedSource {
  readonly state: ContextState;
  readonly encoder: ReturnType<typeof createKimiEncoder>;
  readonly diagnostics: readonly Diagnostic[];
  readonly format: SessionFormatName;
}

/**
 * Reads the source once: `readSessionFile`'s pass validates it (strict mode throws at
 * corruption), folds it into the state, and hands each folded event to the kimi record fold, so
 * memory stays that of the live history and the records.
 */
async function foldSource(
  path: string,
  mode: ReadMode,
  fs: FileSystem,
  onProgress?: (progress: ReadProgress) => void,
): Promise<FoldedSource> {
  const encoder = createKimiEncoder(path);
  const handle = await openRegularFile(fs, path);
  try {
    const { size } = await handle.stat();
    const read = await readOpenSession(
      handle,
      path,
      {
        mode,
        formats: KIMI_AND_CONTEXTLOG,
        onEvent: (event: StoredEvent) => encoder.apply(event),
        ...(onProgress === undefined ? {} : { onProgress }),
      },
      size,
    );
    return { state: read.state, encoder, diagnostics: read.diagnostics, format: read.format };
  } finally {
    await handle.close();
  }
}
