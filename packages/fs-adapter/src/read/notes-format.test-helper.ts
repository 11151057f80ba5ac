import { CorruptSessionError, type StoredEvent } from '@contextlog/core';
import type { SessionFormat } from './session-format.js';

/**
 * A third format, for the tests of the format slot: one `{"note": "…"}` per line, each a user
 * message; blank lines allowed. As small as a format can be, and nothing like contextlog's.
 */
export const notesFormat: SessionFormat = {
  name: 'notes',
  title: 'a notes file',
  signature: 'line with a string "note"',
  blankLines: true,
  detectLine: ({ json }) => (noteOf(json?.value) === undefined ? undefined : 'sure'),
  detectStart: (text) => /^\s*\{\s*"note"\s*:/.test(text),
  createDecoder({ source, mode, diagnostics, modified }) {
    let lines = 0;
    let events = 0;
    let skipped = 0;
    let blank = 0;
    return {
      batch({ buf, from, to, offset, final, tailEnd }, sink) {
        const end = final ? tailEnd : to;
        let start = from;
        while (start < end) {
          const nl = buf.indexOf(10, start);
          const stop = nl === -1 || nl >= end ? end : nl;
          lines++;
          const text = buf.toString('utf8', start, stop);
          const lineOffset = offset + (start - from);
          start = stop + 1;
          if (text.trim() === '') {
            blank++;
            continue;
          }
          let note: string | undefined;
          try {
            note = noteOf(JSON.parse(text));
          } catch {
            note = undefined;
          }
          if (note === undefined) {
            if (mode === 'strict') {
              throw new CorruptSessionError(source, lines, lineOffset, 'not a note');
            }
            diagnostics.push({
              line: lines,
              offset: lineOffset,
              severity: 'error',
              reason: 'not a note',
            });
            skipped++;
            continue;
          }
          const event = {
            seq: events + 1,
            type: 'messages.appended',
            v: 1,
            at: modified,
            data: { messages: [{ role: 'user', content: note }] },
          } as StoredEvent;
          if (sink(event, lines, lineOffset) === undefined) events++;
          else skipped++;
        }
      },
      finish() {},
      get lines() {
        return lines;
      },
      get events() {
        return events;
      },
      get skipped() {
        return skipped;
      },
      get blank() {
        return blank;
      },
    };
  },
};

function noteOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { note } = value as { note?: unknown };
  return typeof note === 'string' ? note : undefined;
}
