import { isUtf8 } from 'node:buffer';
import { constants } from 'node:fs';
import {
  type ContextState,
  CorruptSessionError,
  createReplayer,
  type Message,
  type StoredEvent,
} from '@contextlog/core';
import { describe } from '../describe.js';
import { headerLine } from '../format/header.js';
import {
  defaultFileSystem,
  type FileHandleLike,
  type FileSystem,
  openRegularFile,
} from '../fs/file-system.js';
import { detectFormatDetail } from '../read/detect-format.js';
import { type LineBatch, lineBatches } from '../read/line-batches.js';
import type { Diagnostic, ReadMode } from '../read/types.js';
import type { Durability } from '../store/file-store.js';
import { decodeKimiLine, decodeKimiText, decodeKimiValue, type KimiLine } from './decode-line.js';
import { createEventLineWriter } from './event-line-writer.js';
import { isPlainKimiMessage } from './plain-message.js';
import { publishFile, refuseExisting, removeQuietly, temporaryPathFor } from './publish-file.js';

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
 * nothing behind. An existing `outPath` is refused (`TargetExistsError`) unless `force`.
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
  const fs = options.fs ?? defaultFileSystem;
  const force = options.force ?? false;
  if (!force) await refuseExisting(fs, outPath);
  const temporary = temporaryPathFor(outPath);
  let created = false;
  try {
    const input = await openRegularFile(fs, kimiPath);
    try {
      const { size, mtime } = await input.stat();
      await refuseContextlog(input, size, kimiPath);
      const output = await fs.open(
        temporary,
        constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL,
        0o644,
      );
      created = true;
      try {
        const imported = await convert(input, size, mtime.toISOString(), output, kimiPath, options);
        if ((options.durability ?? 'fsync') === 'fsync') await output.sync();
        await output.close();
        await publishFile(fs, temporary, outPath, force);
        created = false;
        return { outPath, ...imported };
      } catch (error) {
        await output.close().catch(() => undefined);
        throw error;
      }
    } finally {
      await input.close();
    }
  } catch (error) {
    if (created) await removeQuietly(fs, temporary);
    throw error;
  }
}

/** Refused only when a line says contextlog: a file nothing can be told of is kimi-cli's. */
async function refuseContextlog(input: FileHandleLike, size: number, path: string) {
  const detected = await detectFormatDetail(input, size, path).catch(() => undefined);
  if (detected?.positive === true && detected.format === 'contextlog') {
    throw new CorruptSessionError(
      path,
      1,
      0,
      'a contextlog session, not a kimi-cli context.jsonl: nothing to import',
    );
  }
}

/**
 * kimi-cli's rules, line by line, as `readSessionFile` applies them (read/kimi-decoder.ts, whose
 * loop this repeats so that it can splice a line's bytes; import.test.ts compares both, state and
 * diagnostics, on every fixture and on spelling edge cases): records fold in file order
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
  const mode = options.mode ?? 'strict';
  const diagnostics: Diagnostic[] = [];
  // kimi-cli records fold as system_prompt.set, usage.recorded, checkpoint.created (without a
  // message) and messages.appended, none of which can be refused by the projection, so the state
  // is needed only when the caller asks for it; not keeping it is what makes a large import cheap
  // (the retained messages were most of its time, in the garbage collector).
  const replayer = options.withState === true ? createReplayer() : undefined;
  let messages = 0;
  const durable = (options.durability ?? 'fsync') === 'fsync';
  const writer = createEventLineWriter(output, at, durable ? EARLY_SYNC_BYTES : undefined);
  writer.text(headerLine());
  let lineNo = 0;
  let records = 0;
  let pending: { line: number; offset: number; reason: string } | undefined;

  const problem = (line: number, offset: number, reason: string): void => {
    if (mode === 'strict') throw new CorruptSessionError(source, line, offset, reason);
    diagnostics.push({ line, offset, severity: 'error', reason });
  };
  const flushPending = (): void => {
    if (pending === undefined) return;
    const { line, offset, reason } = pending;
    pending = undefined;
    problem(line, offset, reason);
  };
  const warn = (offset: number, warnings: readonly string[]): void => {
    for (const reason of warnings) {
      diagnostics.push({ line: lineNo, offset, severity: 'warning', reason });
    }
  };
  /** Folds the record's event; false (after reporting) if the state refuses it. */
  const fold = (event: StoredEvent, offset: number): boolean => {
    try {
      replayer?.apply(event);
    } catch (error) {
      problem(lineNo, offset, `${event.type} cannot apply: ${describe(error)}`);
      return false;
    }
    if (event.type === 'messages.appended') messages += event.data.messages.length;
    records++;
    return true;
  };
  const decoded = (line: KimiLine, offset: number, terminated: boolean): void => {
    if (line.kind === 'blank') return;
    if (line.kind === 'invalid') {
      warn(offset, line.warnings);
      flushPending();
      if (!terminated) {
        diagnostics.push({
          line: lineNo,
          offset,
          severity: 'warning',
          reason: `torn tail: the last line has no newline and does not decode (${line.reason}); ignored`,
        });
        return;
      }
      pending = { line: lineNo, offset, reason: line.reason };
      return;
    }
    flushPending();
    warn(offset, line.warnings);
    const { type, v, data } = line.event;
    // The key order of the spliced lines (and of the file store's events): seq, type, v, at, data.
    const event = { seq: records + 1, type, v, at, data } as StoredEvent;
    if (fold(event, offset)) writer.event(event);
  };
  /** A message line that is its message as is: folded, and its bytes spliced into the event. */
  const plainMessage = (
    message: Message,
    buf: Buffer,
    start: number,
    end: number,
    offset: number,
  ) => {
    flushPending();
    const seq = records + 1;
    const event: StoredEvent = {
      seq,
      type: 'messages.appended',
      v: 1,
      at,
      data: { messages: [message] },
    };
    if (fold(event, offset)) writer.splicedMessage(seq, buf, start, end);
  };

  const batch = ({ buf, from, to, offset, final, tailEnd }: LineBatch): void => {
    // `\n` is a character boundary in UTF-8 and kimi-cli's universal newlines also split at
    // `\r`: a chunk that is valid UTF-8 and has no `\r` lets each line skip those checks.
    const cr = buf.indexOf(13, from);
    const clean = (cr === -1 || cr >= tailEnd) && isUtf8(buf.subarray(from, tailEnd));
    const line = (start: number, end: number, terminated: boolean) => {
      lineNo++;
      const lineOffset = offset + (start - from);
      if (!clean || buf[start] !== 0x7b) {
        decoded(decodeKimiLine(buf.subarray(start, end)), lineOffset, terminated);
        return;
      }
      const text = buf.toString('utf8', start, end);
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        // Python's json.loads accepts more (raw control characters, NaN …): the full rules.
        decoded(decodeKimiText(text), lineOffset, terminated);
        return;
      }
      if (isPlainKimiMessage(value)) plainMessage(value as Message, buf, start, end, lineOffset);
      else decoded(decodeKimiValue(value), lineOffset, terminated);
    };
    let start = from;
    while (start < to) {
      const nl = buf.indexOf(10, start);
      const end = nl === -1 || nl >= to ? to : nl;
      line(start, end, true);
      start = end + 1;
    }
    if (final && tailEnd > to) line(to, tailEnd, false);
  };

  try {
    for await (const lines of lineBatches(input, 0, size)) {
      batch(lines);
      await writer.flush();
    }
    if (pending !== undefined) {
      diagnostics.push({
        line: pending.line,
        offset: pending.offset,
        severity: 'warning',
        reason: `the last line is invalid (${pending.reason}); skipped, as kimi-cli does`,
      });
    }
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
    events: records,
    messages,
    diagnostics,
  };
}
