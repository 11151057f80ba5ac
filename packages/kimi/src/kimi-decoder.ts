import { isUtf8 } from 'node:buffer';
import {
  CorruptSessionError,
  describeError as describe,
  type Message,
  type StoredEvent,
} from '@contextlog/core';
import type { Diagnostic, ReadMode } from '@contextlog/fs-adapter';
import type { EventSink, FormatDecoder } from '@contextlog/fs-adapter/formats';
import {
  decodeKimiLine,
  decodeKimiText,
  decodeKimiValue,
  type KimiLine,
  messageNumberRefusal,
} from './decode-line.js';
import { isPlainKimiMessage } from './plain-message.js';

export interface KimiDecoder extends FormatDecoder {
  /** Records folded: also the seq of the last event. */
  readonly events: number;
}

/**
 * kimi-cli's `context.jsonl` rules (see decode-line.ts): records fold in file order with
 * seq = records folded; an invalid line is an error unless it is the last non-blank line (then it
 * is what a crash leaves: a warning, as is an undecodable unterminated tail); a last line without
 * `\n` that decodes is a record, as kimi-cli reads it.
 */
export function createKimiDecoder(
  source: string,
  mode: ReadMode,
  diagnostics: Diagnostic[],
  at: string,
): KimiDecoder {
  let lineNo = 0;
  let records = 0;
  let blank = 0;
  let skipped = 0;
  let pending: { line: number; offset: number; reason: string } | undefined;

  const problem = (line: number, offset: number, reason: string): undefined => {
    if (mode === 'strict') throw new CorruptSessionError(source, line, offset, reason);
    diagnostics.push({ line, offset, severity: 'error', reason });
    skipped++;
  };
  const flushPending = (): void => {
    if (pending === undefined) return;
    const { line, offset, reason } = pending;
    pending = undefined;
    problem(line, offset, reason);
  };
  const warn = (line: number, offset: number, warnings: readonly string[]): void => {
    for (const reason of warnings) diagnostics.push({ line, offset, severity: 'warning', reason });
  };

  const fold = (
    event: StoredEvent,
    offset: number,
    sink: EventSink,
    raw?: Buffer,
    start?: number,
    end?: number,
  ) => {
    let refused: string | undefined;
    try {
      refused = sink(event, lineNo, offset, raw, start, end);
    } catch (error) {
      refused = describe(error);
    }
    if (refused !== undefined) return problem(lineNo, offset, refused);
    records++;
  };

  const decoded = (
    line: KimiLine,
    offset: number,
    terminated: boolean,
    sink: EventSink,
  ): undefined => {
    if (line.kind === 'blank') {
      blank++;
      return;
    }
    if (line.kind === 'refused') {
      // kimi-cli reads this line, so it is an error wherever it is, the last line included.
      flushPending();
      warn(lineNo, offset, line.warnings);
      return problem(lineNo, offset, line.reason);
    }
    if (line.kind === 'invalid') {
      warn(lineNo, offset, line.warnings);
      flushPending();
      if (!terminated) {
        skipped++;
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
    warn(lineNo, offset, line.warnings);
    const { type, v, data } = line.event;
    // The key order of a contextlog file's events (and of the import's spliced lines).
    fold({ seq: records + 1, type, v, at, data } as StoredEvent, offset, sink);
  };

  return {
    batch({ buf, from, to, offset, final, tailEnd }, sink) {
      // `\n` is a character boundary in UTF-8 and kimi-cli's universal newlines also split at
      // `\r`: a batch that is valid UTF-8 and has no `\r` lets each line skip those checks.
      const cr = buf.indexOf(13, from);
      const clean = (cr === -1 || cr >= tailEnd) && isUtf8(buf.subarray(from, tailEnd));
      const line = (start: number, end: number, terminated: boolean) => {
        lineNo++;
        const lineOffset = offset + (start - from);
        if (!clean || buf[start] !== 0x7b) {
          decoded(decodeKimiLine(buf.subarray(start, end)), lineOffset, terminated, sink);
          return;
        }
        const text = buf.toString('utf8', start, end);
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch {
          // Python's json.loads accepts more (raw control characters, NaN …): the full rules.
          decoded(decodeKimiText(text), lineOffset, terminated, sink);
          return;
        }
        if (!isPlainKimiMessage(value)) {
          decoded(decodeKimiValue(value, text), lineOffset, terminated, sink);
          return;
        }
        const refusal = messageNumberRefusal(value, text);
        if (refusal !== undefined) {
          decoded({ kind: 'refused', reason: refusal, warnings: [] }, lineOffset, terminated, sink);
          return;
        }
        flushPending();
        const event: StoredEvent = {
          seq: records + 1,
          type: 'messages.appended',
          v: 1,
          at,
          data: { messages: [value as Message] },
        };
        fold(event, lineOffset, sink, buf, start, end);
      };
      let start = from;
      while (start < to) {
        const nl = buf.indexOf(10, start);
        const end = nl === -1 || nl >= to ? to : nl;
        line(start, end, true);
        start = end + 1;
      }
      if (final && tailEnd > to) line(to, tailEnd, false);
    },
    finish() {
      if (pending === undefined) return;
      const { line, offset, reason } = pending;
      pending = undefined;
      skipped++;
      diagnostics.push({
        line,
        offset,
        severity: 'warning',
        reason: `the last line is invalid (${reason}); skipped, as kimi-cli does`,
      });
    },
    // Getters, as in every decoder: the counts are the closure's and change as it reads.
    get lines() {
      return lineNo;
    },
    get events() {
      return records;
    },
    get blank() {
      return blank;
    },
    get skipped() {
      return skipped;
    },
  };
}
