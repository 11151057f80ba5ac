import { CorruptSessionError } from '@contextlog/core';
import { UnknownFormatError } from '../errors.js';
import type { FileHandleLike } from '../fs/file-system.js';
import type { SessionFormat } from './session-format.js';

/** The longest line classified whole; a longer one is classified by its start (`classifyStart`). */
export const DETECT_WINDOW = 4 << 20;
const CHUNK = 64 << 10;

export interface Detection {
  readonly format: SessionFormat;
  /**
   * True when a line said so (a contextlog header or event, a kimi-cli record); false when the
   * format is a default: an empty file, blank lines only, or nothing but an unfinished line.
   */
  readonly positive: boolean;
}

function isBlank(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c !== 32 && c !== 9 && c !== 13 && c !== 10 && c !== 12 && c !== 11) return false;
  }
  return true;
}

/** A UTF-8 byte-order mark is left out when classifying (the readers then report it). */
function withoutBom(bytes: Buffer): Buffer {
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
}

/**
 * The format one whole non-blank line names, if any: the first format sure of it, else the first
 * with a weak claim (formats are asked in the order given).
 */
function classify(line: Buffer, formats: readonly SessionFormat[]): SessionFormat | undefined {
  const bytes = withoutBom(line);
  let json: { value: unknown } | undefined;
  try {
    json = { value: JSON.parse(bytes.toString('utf8')) };
  } catch {
    json = undefined;
  }
  let weak: SessionFormat | undefined;
  for (const format of formats) {
    const claim = format.detectLine({ bytes, json });
    if (claim === 'sure') return format;
    if (claim === 'weak') weak ??= format;
  }
  return weak;
}

/** What the start of a line too long to hold says: the first format whose lines start so. */
function classifyStart(line: Buffer, formats: readonly SessionFormat[]): SessionFormat | undefined {
  const text = withoutBom(line).toString('utf8', 0, Math.min(line.length, CHUNK));
  return formats.find((format) => format.detectStart(text));
}

/** The format a file of nothing telling defaults to: blank lines only, or nothing at all. */
function defaultFormat(formats: readonly SessionFormat[], blankLines: boolean): SessionFormat {
  const first = formats[0];
  if (first === undefined) throw new UnknownFormatError(undefined, []);
  return (blankLines ? formats.find((format) => format.blankLines) : undefined) ?? first;
}

/**
 * The format the first line of a block that says anything names, looking past malformed lines;
 * the last piece of a block that is not the whole file (`complete` false) is judged by how it
 * starts. Undefined when no line in the block says. For a first look at a file (the CLI's).
 */
export function detectFormatOfBlock(
  block: Uint8Array,
  complete: boolean,
  formats: readonly SessionFormat[],
): SessionFormat | undefined {
  const buf = Buffer.from(block.buffer, block.byteOffset, block.length);
  let start = 0;
  while (start < buf.length) {
    const nl = buf.indexOf(10, start);
    if (nl === -1) break;
    if (!isBlank(buf, start, nl)) {
      const format = classify(buf.subarray(start, nl), formats);
      if (format !== undefined) return format;
    }
    start = nl + 1;
  }
  if (start >= buf.length || isBlank(buf, start, buf.length)) return undefined;
  const last = buf.subarray(start);
  return complete ? classify(last, formats) : classifyStart(last, formats);
}

const HEADER_START_TEXT = '{"format":"contextlog"';

/**
 * Whether an unfinished only line is what a crash while writing a contextlog header leaves: the
 * writer's compact header, cut anywhere (`{`, `{"format":"con`, or past the format's name).
 */
export function isTornHeader(line: Buffer): boolean {
  const text = line.toString('utf8', 0, Math.min(line.length, HEADER_START_TEXT.length));
  return HEADER_START_TEXT.startsWith(text);
}

/**
 * Tells which of `formats` a file is in (a contextlog file by its header or stored events, a
 * kimi-cli one by objects with a string `role`) by the first line that says anything, looking
 * past malformed ones (however many). Lines up to `DETECT_WINDOW` bytes are classified whole,
 * longer ones by their start and then skipped, so memory stays within the window. An unfinished
 * last line (no `\n`) counts only if nothing before it said anything: a record of a format if it
 * is one; otherwise, as the only content of the file and if it is a cut contextlog header, the
 * torn remains of a header (an empty session of the first format, with a torn tail). An empty file is an empty session of the first
 * format; a file of blank lines one of the first format that allows blank lines (kimi-cli's).
 */
export async function detectFormatDetail(
  handle: FileHandleLike,
  size: number,
  source: string,
  formats: readonly SessionFormat[],
): Promise<Detection> {
  if (size === 0) return { format: defaultFormat(formats, false), positive: false };
  let buf = Buffer.allocUnsafe(Math.min(size, CHUNK));
  let base = 0; // file offset of buf[0]
  let len = 0; // valid bytes in buf
  let seen = 0;
  let lineStart = 0;

  /** Reads more after `buf[len)`, first dropping the bytes before `keepFrom` (a file offset). */
  const readMore = async (keepFrom: number): Promise<boolean> => {
    const drop = keepFrom - base;
    if (drop > 0) {
      buf.copyWithin(0, drop, len);
      len -= drop;
      base = keepFrom;
    }
    if (len === buf.length) {
      const grown = Buffer.allocUnsafe(Math.min(buf.length * 2, DETECT_WINDOW + CHUNK));
      buf.copy(grown, 0, 0, len);
      buf = grown;
    }
    const want = Math.min(buf.length - len, size - (base + len));
    if (want <= 0) return false;
    const { bytesRead } = await handle.read(buf, len, want, base + len);
    len += bytesRead;
    return bytesRead > 0;
  };

  /** Skips the rest of a line too long to hold: the offset after its `\n`, or -1 if it has none. */
  const skipLine = async (): Promise<number> => {
    let at = base + len;
    base = at;
    len = 0;
    while (at < size) {
      const { bytesRead } = await handle.read(buf, 0, Math.min(buf.length, size - at), at);
      if (bytesRead === 0) break;
      const nl = buf.indexOf(10);
      if (nl !== -1 && nl < bytesRead) {
        base = at;
        len = bytesRead;
        return at + nl + 1;
      }
      at += bytesRead;
      base = at;
    }
    return -1;
  };

  let unfinished:
    | { offset: number; format: SessionFormat | undefined; tornHeader: boolean }
    | undefined;
  let searchFrom = 0;
  while (lineStart < size) {
    const nl = buf.indexOf(10, searchFrom - base);
    if (nl !== -1 && nl < len) {
      const s = lineStart - base;
      if (!isBlank(buf, s, nl)) {
        const format = classify(buf.subarray(s, nl), formats);
        if (format !== undefined) return { format, positive: true };
        seen++;
      }
      lineStart = base + nl + 1;
      searchFrom = lineStart;
      continue;
    }
    searchFrom = base + len;
    if (base + len - lineStart >= DETECT_WINDOW) {
      const start = buf.subarray(lineStart - base, len);
      const format = classifyStart(start, formats);
      if (format !== undefined) return { format, positive: true };
      const end = await skipLine();
      if (end === -1) {
        unfinished = { offset: lineStart, format: undefined, tornHeader: false };
        break;
      }
      seen++;
      lineStart = end;
      searchFrom = end;
      continue;
    }
    if (!(await readMore(lineStart))) {
      // End of file: `buf[lineStart, len)` is an unfinished last line.
      const s = lineStart - base;
      if (!isBlank(buf, s, len)) {
        const line = buf.subarray(s, len);
        unfinished = {
          offset: lineStart,
          format: classify(line, formats),
          tornHeader: isTornHeader(line),
        };
      }
      break;
    }
  }
  if (unfinished !== undefined) {
    if (unfinished.format !== undefined) return { format: unfinished.format, positive: true };
    if (seen === 0 && unfinished.offset === 0 && unfinished.tornHeader) {
      return { format: defaultFormat(formats, false), positive: false };
    }
    // Anything else unfinished is a line no format claims: a store must not set it aside as
    // the torn remains of its own header (a kimi-cli file of one record would be replaced).
    seen++;
  }
  if (seen === 0) return { format: defaultFormat(formats, true), positive: false };
  throw new CorruptSessionError(
    source,
    undefined,
    undefined,
    `cannot tell the format: no ${formats.map((format) => format.signature).join(' and no ')} in its ${seen} non-blank ${seen === 1 ? 'line' : 'lines'}`,
  );
}

/** `detectFormatDetail`'s format. */
export async function detectFormat(
  handle: FileHandleLike,
  size: number,
  source: string,
  formats: readonly SessionFormat[],
): Promise<SessionFormat> {
  return (await detectFormatDetail(handle, size, source, formats)).format;
}
