import { CorruptSessionError, type StoredEvent } from '@contextlog/core';
import { describe } from '../describe.js';
import { decodeKimiLine } from '../kimi/decode-line.js';
import type { EventSink } from './contextlog-decoder.js';
import type { LineBatch } from './line-batches.js';
import type { Diagnostic, ReadMode } from './types.js';

export interface KimiDecoder {
  batch(batch: LineBatch, sink: EventSink): void;
  /** Settles an invalid line still waiting to know whether it was the last one. */
  finish(): void;
  readonly lines: number;
  readonly records: number;
  readonly blank: number;
  readonly skipped: number;
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

  const decodeLine = (
    bytes: Uint8Array,
    offset: number,
    terminated: boolean,
    sink: EventSink,
  ): undefined => {
    lineNo++;
    const decoded = decodeKimiLine(bytes);
    if (decoded.kind === 'blank') {
      blank++;
      return;
    }
    if (decoded.kind === 'invalid') {
      warn(lineNo, offset, decoded.warnings);
      flushPending();
      if (!terminated) {
        skipped++;
        diagnostics.push({
          line: lineNo,
          offset,
          severity: 'warning',
          reason: `torn tail: the last line has no newline and does not decode (${decoded.reason}); ignored`,
        });
        return;
      }
      pending = { line: lineNo, offset, reason: decoded.reason };
      return;
    }
    flushPending();
    warn(lineNo, offset, decoded.warnings);
    const event = { ...decoded.event, seq: records + 1, at } as StoredEvent;
    let refused: string | undefined;
    try {
      refused = sink(event, lineNo, offset);
    } catch (error) {
      refused = describe(error);
    }
    if (refused !== undefined) return problem(lineNo, offset, refused);
    records++;
  };

  return {
    batch(batch, sink) {
      const { buf, from, to, offset } = batch;
      let start = from;
      while (start < to) {
        const nl = buf.indexOf(10, start);
        const end = nl === -1 || nl >= to ? to : nl;
        decodeLine(buf.subarray(start, end), offset + (start - from), true, sink);
        start = end + 1;
      }
      if (batch.final && batch.tailEnd > to) {
        decodeLine(buf.subarray(to, batch.tailEnd), offset + (to - from), false, sink);
      }
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
    get lines() {
      return lineNo;
    },
    get records() {
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
