import { isAscii } from 'node:buffer';

type Utf8Slicing = { utf8Slice?: (start: number, end: number) => string };

/**
 * `buf.toString('utf8', start, end)` without its argument checks and encoding lookup: Node's own
 * `Buffer.prototype.utf8Slice`, which `toString` ends in (not in Node's typings; checked once).
 */
const utf8Slice: (buf: Buffer, start: number, end: number) => string =
  typeof (Buffer.prototype as Utf8Slicing).utf8Slice === 'function'
    ? (buf, start, end) => (buf as Utf8Slicing as Required<Utf8Slicing>).utf8Slice(start, end)
    : (buf, start, end) => buf.toString('utf8', start, end);

type AsciiSlicing = { asciiSlice?: (start: number, end: number) => string };

/** Lines from this long on are decoded as ASCII when they are (a snapshot's parts are). */
const LONG_LINE = 64 * 1024;

/**
 * Node hands a Latin-1 or ASCII slice longer than its `EXTERN_APEX` (0xFBEE9 bytes, just under a
 * MiB) over as an external string: memory outside V8's heap, which V8 frees only when a GC finds
 * the string dead and counts loosely when it decides to collect. A snapshot's megabyte parts read
 * that way held ~50 MB of dead lines at the peak of reopening a 200 MB session (1.22x the RSS of
 * replaying the original). Pieces below the apex are heap strings; their join is flattened once,
 * on the heap, by `JSON.parse`. They are kept under V8's largest regular object (128 KiB): a
 * larger string is a large object, its own mapped pages, and 512 KiB pieces made the slicing of a
 * snapshot 20x slower than 64 KiB ones (0.69 s against 0.03 s for 180 MB; reopening a 210 MB
 * snapshot spent 0.68 s there).
 */
export const ASCII_PIECE = 64 * 1024;

/**
 * A line's text. A long ASCII line (a snapshot part: its writer escapes what is not ASCII) is
 * copied byte for byte, measured ~4x faster for a megabyte than decoding it as UTF-8; every
 * other line is decoded as UTF-8.
 */
export function lineText(buf: Buffer, start: number, end: number): string {
  if (end - start >= LONG_LINE && isAscii(buf.subarray(start, end))) {
    const ascii = (buf as AsciiSlicing).asciiSlice;
    const slice =
      ascii === undefined
        ? (from: number, to: number) => buf.toString('latin1', from, to)
        : (from: number, to: number) => ascii.call(buf, from, to);
    if (end - start <= ASCII_PIECE) return slice(start, end);
    let text = '';
    for (let at = start; at < end; at += ASCII_PIECE) {
      text += slice(at, Math.min(end, at + ASCII_PIECE));
    }
    return text;
  }
  return utf8Slice(buf, start, end);
}
