import { isUtf8 } from 'node:buffer';
import { CorruptSessionError, type DialectOptions, type StoredEvent } from '@contextlog/core';
import {
  createEventParser,
  createSnapshotAssembler,
  DEFAULT_KIND,
  type Fold,
  type SessionKind,
  SnapshotPartRefSchema,
} from '@contextlog/core/store';
import { describe } from '../describe.js';
import { checkHeader, isHeaderLike, type SessionHeader } from '../format/header.js';
import { fastStoredEvent, isMessage } from './fast-event.js';
import { lineText } from './line-text.js';
import type { EventSink, FormatDecoder, TornTail } from './session-format.js';
import type { Diagnostic, ReadMode } from './types.js';

/**
 * A sink that folds each event into `replayer` (a fold, or a message counter, which refuses what
 * the fold refuses: an event it refuses names why), keeps it in `kept` and hands it to `onEvent`.
 */
export function replayingSink(
  replayer: Pick<Fold, 'apply'>,
  kept?: StoredEvent[],
  onEvent?: (event: StoredEvent) => void,
): EventSink {
  return (event) => {
    try {
      replayer.apply(event);
    } catch (error) {
      return `${event.type} cannot apply: ${describe(error)}`;
    }
    kept?.push(event);
    onEvent?.(event);
    return undefined;
  };
}

export interface ContextlogDecoder extends FormatDecoder {
  readonly header: SessionHeader | undefined;
  readonly lastSeq: number;
  /** Byte offset just past the last complete line seen. */
  readonly completeEnd: number;
  /** Start offset and length of the torn tail, if the final batch had one. */
  readonly tornTail: TornTail | undefined;
  /** What the events read so far declared (their dialect and estimator). */
  readonly kind: SessionKind;
}

const NEWLINE = 10;

/**
 * The rules of a contextlog file, line by line: header first, then one valid stored event per
 * line, seqs without gap or duplicate (the first event may be a `state.snapshotted` at any seq),
 * UTF-8 only. A snapshot may span several lines, its parts (`"part":{"index","last"}`): they
 * make one event, handed on at its last part. Strict mode throws `CorruptSessionError` at the
 * first broken line; lenient mode skips it and records a diagnostic. A last line without `\n`
 * is a torn tail: a warning, never an event; so is a snapshot whose last part is missing at the
 * end of the file (from its first line on). One cut short by another line is corruption.
 */
export function createContextlogDecoder(
  source: string,
  mode: ReadMode,
  diagnostics: Diagnostic[],
  dialects: DialectOptions = {},
  { keepSnapshotItems = true }: { readonly keepSnapshotItems?: boolean } = {},
): ContextlogDecoder {
  // Messages are checked with the dialect the session declares; one this reader does not know is
  // read as JSON objects, with a warning.
  const parser = createEventParser(dialects);
  let notesSeen = 0;
  let header: SessionHeader | undefined;
  let lineNo = 0;
  let lastSeq = 0;
  let events = 0;
  let skipped = 0;
  let skippedSinceEvent = 0;
  let completeEnd = 0;
  let tornTail: TornTail | undefined;
  let crlfSeen = false;
  // A checking pass validates a snapshot's parts without keeping them (see `checkWrittenSession`).
  const assembler = createSnapshotAssembler(parser, {
    keepItems: keepSnapshotItems,
    isPlainDefaultMessage: isMessage,
  });
  // The snapshot whose parts are being gathered: where its first line is.
  let group: { line: number; offset: number } | undefined;

  const problem = (offset: number, reason: string): undefined => {
    if (mode === 'strict') throw new CorruptSessionError(source, lineNo, offset, reason);
    // Lenient: the parts gathered so far cannot make an event any more.
    if (group !== undefined) {
      assembler.reset();
      group = undefined;
    }
    diagnostics.push({ line: lineNo, offset, severity: 'error', reason });
    skipped++;
    skippedSinceEvent++;
  };

  const decodeLine = (
    buf: Buffer,
    start: number,
    end: number,
    offset: number,
    checkUtf8: boolean,
    sink: EventSink,
  ): undefined => {
    lineNo++;
    if (start === end) return problem(offset, 'empty line (a contextlog file has none)');
    if (lineNo === 1 && buf[start] === 0xef && buf[start + 1] === 0xbb && buf[start + 2] === 0xbf) {
      return problem(offset, 'line 1 starts with a byte-order mark (contextlog files have none)');
    }
    // One byte test per line. Our writer never writes `\r`: someone edited the file. Reported
    // once (a whole CRLF file would otherwise give one warning per line).
    if (buf[end - 1] === 13 && !crlfSeen) {
      crlfSeen = true;
      diagnostics.push({
        line: lineNo,
        offset,
        severity: 'warning',
        reason:
          'the line ends in \\r\\n (CRLF): contextlog writes \\n only, so the file was edited or converted; read as if it ended in \\n (later CRLF lines are not reported again)',
      });
    }
    if (checkUtf8 && !isUtf8(buf.subarray(start, end))) {
      return problem(offset, 'invalid UTF-8');
    }
    let value: unknown;
    try {
      value = JSON.parse(lineText(buf, start, end));
    } catch (error) {
      return problem(offset, `not valid JSON (${describe(error)})`);
    }
    if (group !== undefined && !isPartLine(value)) {
      const pending = assembler.pending;
      return problem(
        offset,
        `snapshot seq ${pending?.seq} (from line ${group.line}) stops after part ${(pending?.parts ?? 1) - 1} without its last part: this line is not its next part`,
      );
    }
    if (lineNo > 1 && isPartLine(value)) {
      const { part, ...rest } = value;
      if (group !== undefined && isFirstPart(part)) {
        return problem(
          offset,
          `snapshot seq ${assembler.pending?.seq} (from line ${group.line}) stops without its last part: another snapshot starts here`,
        );
      }
      const ref = SnapshotPartRefSchema.safeParse(part);
      if (!ref.success) {
        return problem(offset, 'part: expected {"index": a count, "last": a boolean}');
      }
      let joined: StoredEvent | undefined;
      try {
        joined = assembler.add(rest, ref.data);
      } catch (error) {
        return problem(offset, describe(error));
      }
      for (; notesSeen < parser.diagnostics.length; notesSeen++) {
        const reason = parser.diagnostics[notesSeen] as string;
        diagnostics.push({ line: lineNo, offset, severity: 'warning', reason });
      }
      if (ref.data.index === 0) group = { line: lineNo, offset };
      if (joined === undefined) return;
      const first = group ?? { line: lineNo, offset };
      group = undefined;
      return accept(joined, first.line, first.offset, sink);
    }
    // The fast path first (it knows kimi-cli's messages only): what it accepts has exactly an
    // event's five keys, so is no header.
    const fast = parser.kind === DEFAULT_KIND;
    let event = lineNo === 1 || !fast ? undefined : fastStoredEvent(value);
    if (event === undefined) {
      if (lineNo === 1) {
        const checked = checkHeader(value);
        if (typeof checked !== 'string') {
          header = checked;
          return;
        }
        if (isHeaderLike(value)) return problem(offset, checked);
        problem(offset, 'missing header: line 1 must be {"format":"contextlog",…}');
        // Lenient: line 1 may still be a good event of a file that lost its header.
      } else if (isHeaderLike(value)) {
        return problem(offset, 'a second header (only line 1 may be a header)');
      }
      try {
        // Past line 1 the fast path has already said no.
        event =
          (lineNo === 1 && fast ? fastStoredEvent(value) : undefined) ??
          parser.parse(value, { parsedFromJson: true });
      } catch (error) {
        return problem(offset, describe(error));
      }
      for (; notesSeen < parser.diagnostics.length; notesSeen++) {
        const reason = parser.diagnostics[notesSeen] as string;
        diagnostics.push({ line: lineNo, offset, severity: 'warning', reason });
      }
    }
    return accept(event, lineNo, offset, sink);
  };

  /** Checks an event's place in the sequence and hands it on (`line`, `offset`: where it starts). */
  const accept = (event: StoredEvent, line: number, offset: number, sink: EventSink): undefined => {
    const expected = lastSeq + 1;
    if (event.seq !== expected) {
      const startsWithSnapshot = events === 0 && event.type === 'state.snapshotted';
      if (!startsWithSnapshot) {
        if (event.seq <= lastSeq) {
          return problem(
            offset,
            `seq ${event.seq} repeats or goes back (the previous event has seq ${lastSeq})`,
          );
        }
        if (mode === 'strict') {
          throw new CorruptSessionError(
            source,
            lineNo,
            offset,
            `seq gap: expected ${expected}, got ${event.seq}`,
          );
        }
        // Lenient keeps the later events; the gap is news only if skipped lines do not explain it.
        if (event.seq - expected > skippedSinceEvent) {
          diagnostics.push({
            line: lineNo,
            offset,
            severity: 'error',
            reason: `seq gap: expected ${expected}, got ${event.seq} (events ${expected}..${event.seq - 1} are missing)`,
          });
        }
      }
    }
    const refused = sink(event, line, offset);
    if (refused !== undefined) return problem(offset, refused);
    lastSeq = event.seq;
    events++;
    skippedSinceEvent = 0;
    return undefined;
  };

  return {
    batch(batch, sink) {
      const { buf, from, to, offset } = batch;
      // A `\n` is always a character boundary in UTF-8, so a run of whole lines is valid UTF-8
      // exactly when each of its lines is: one fast check per chunk, per line only on failure.
      const checkUtf8 = !isUtf8(buf.subarray(from, to));
      let start = from;
      while (start < to) {
        const nl = buf.indexOf(NEWLINE, start);
        const end = nl === -1 || nl >= to ? to : nl;
        decodeLine(buf, start, end, offset + (start - from), checkUtf8, sink);
        start = end + 1;
        completeEnd = offset + (start - from);
      }
      if (!batch.final) return;
      const end = Math.max(batch.tailEnd, to);
      if (group !== undefined) {
        // A snapshot without its last part: its write never finished, so none of it counts.
        const pending = assembler.pending;
        const length = offset + (end - from) - group.offset;
        tornTail = { offset: group.offset, length };
        skipped++;
        diagnostics.push({
          line: group.line,
          offset: group.offset,
          severity: 'warning',
          reason: `torn tail: snapshot seq ${pending?.seq} stops after part ${(pending?.parts ?? 1) - 1} of lines ${group.line}..${lineNo} without its last part (an unfinished write, never acknowledged: ${length} bytes); ignored`,
        });
        assembler.reset();
        group = undefined;
        if (batch.tailEnd > to) lineNo++;
        return;
      }
      if (batch.tailEnd > to) {
        const length = batch.tailEnd - to;
        const tailOffset = offset + (to - from);
        lineNo++;
        tornTail = { offset: tailOffset, length };
        skipped++;
        diagnostics.push({
          line: lineNo,
          offset: tailOffset,
          severity: 'warning',
          reason: `torn tail: ${length} bytes without a final newline (an unfinished write, never acknowledged); ignored`,
        });
      }
    },
    finish() {
      // A torn tail was settled by the final batch: nothing waits.
    },
    // Getters, as in every decoder: the counts are the closure's and change as it reads.
    get header() {
      return header;
    },
    get blank() {
      return 0;
    },
    get lastSeq() {
      return lastSeq;
    },
    get lines() {
      return lineNo;
    },
    get events() {
      return events;
    },
    get skipped() {
      return skipped;
    },
    get completeEnd() {
      return completeEnd;
    },
    get tornTail() {
      return tornTail;
    },
    get kind() {
      return parser.kind;
    },
  };
}

function isPartLine(value: unknown): value is Record<string, unknown> & { part: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'part' in value;
}

function isFirstPart(part: unknown): boolean {
  return typeof part === 'object' && part !== null && (part as { index?: unknown }).index === 0;
}
