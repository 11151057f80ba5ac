import type { StoredEvent } from '@contextlog/core';

/** Above this many bytes of worst case, a batch is measured exactly instead of over-allocated. */
const MAX_SLACK = 4 * 1024 * 1024;

/**
 * A batch's lines (`JSON.stringify(event)` + `\n` each) as one buffer, each line encoded straight
 * into it. Joining the lines into one string and encoding that measured ~5x slower (0.8 against
 * 0.15 µs a line): the joined string is copied flat first, and one non-ASCII line makes all of it
 * two-byte.
 */
export function encodeLines(events: readonly StoredEvent[]): Buffer {
  const lines: string[] = [];
  let units = 0;
  for (const event of events) {
    const line = JSON.stringify(event);
    lines.push(line);
    units += line.length;
  }
  // UTF-8 needs at most 3 bytes per UTF-16 code unit (JSON.stringify escapes lone surrogates).
  let room = units * 3 + lines.length;
  if (room > MAX_SLACK) {
    room = lines.length;
    for (const line of lines) room += Buffer.byteLength(line, 'utf8');
  }
  const buffer = Buffer.allocUnsafe(room);
  let end = 0;
  for (const line of lines) {
    end += buffer.write(line, end, 'utf8');
    buffer[end++] = 0x0a;
  }
  return buffer.subarray(0, end);
}
