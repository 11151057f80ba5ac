import { CorruptSessionError } from '@contextlog/core';
import { isHeaderLike } from '../format/header.js';
import type { FileHandleLike } from '../fs/file-system.js';
import { decodeKimiLine, looksLikeKimiRecord } from '../kimi/decode-line.js';
import type { SessionFormat } from './types.js';

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

function isBlank(buf: Buffer, start: number, end: number): boolean {
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

/** What one whole non-blank line says about the format, if anything. */
function classify(line: Buffer): SessionFormat | undefined {
  const bytes = withoutBom(line);
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    // kimi-cli also accepts raw control characters inside strings, which JSON.parse refuses.
    try {
      const { kind } = decodeKimiLine(bytes);
      return kind === 'record' || kind === 'refused' ? 'kimi' : undefined;
    } catch {
      return undefined;
    }
  }
  if (isHeaderLike(value)) return 'contextlog';
  if (looksLikeKimiRecord(value)) return 'kimi';
  if (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { type?: unknown }).type === 'string' &&
    typeof (value as { seq?: unknown }).seq === 'number'
  ) {
    return 'contextlog';
  }
  return undefined;
}

const KIMI_START = /^\s*\{\s*"role"\s*:\s*"(?:[^"\\]|\\.)*"\s*[,}]/;
const HEADER_START = /^\s*\{\s*"format"\s*:\s*"contextlog"/;
const EVENT_START = /^\s*\{\s*"seq"\s*:\s*\d/;

/**
 * What the start of a line too long to hold says: kimi-cli writes `role` first (a message's
 * image data URL can be megabytes long), contextlog writes its header's `format` or an event's
 * `seq` first.
 */
function classifyStart(line: Buffer): SessionFormat | undefined {
  const text = withoutBom(line).toString('utf8', 0, Math.min(line.length, CHUNK));
  if (HEADER_START.test(text) || EVENT_START.test(text)) return 'contextlog';
  if (KIMI_START.test(text)) return 'kimi';
  return undefined;
}

/**
 * Tells a contextlog file (its header, or stored events) from a kimi-cli one (objects with a
 * string `role`) by the first line that says anything, looking past malformed ones (however
 * many). Lines up to `DETECT_WINDOW` bytes are classified whole, longer ones by their start and
 * then skipped, so memory stays within the window. An unfinished last line (no `\n`) counts only
 * if nothing before it said anything: a kimi-cli record if it is one; otherwise, as the only
 * content of the file, the torn remains of a contextlog header (an empty session with a torn
 * tail). An empty file is an empty contextlog session; a file of blank lines an empty kimi-cli one.
 */
export async function detectFormatDetail(
  handle: FileHandleLike,
  size: number,
  source: string,
): Promise<Detection> {
  if (size === 0) return { format: 'contextlog', positive: false };
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

  let unfinished: { offset: number; format: SessionFormat | undefined } | undefined;
  let searchFrom = 0;
  while (lineStart < size) {
    const nl = buf.indexOf(10, searchFrom - base);
    if (nl !== -1 && nl < len) {
      const s = lineStart - base;
      if (!isBlank(buf, s, nl)) {
        const format = classify(buf.subarray(s, nl));
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
      const format = classifyStart(start);
      if (format !== undefined) return { format, positive: true };
      const end = await skipLine();
      if (end === -1) {
        unfinished = { offset: lineStart, format: undefined };
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
        unfinished = { offset: lineStart, format: classify(buf.subarray(s, len)) };
      }
      break;
    }
  }
  if (unfinished !== undefined) {
    if (unfinished.format !== undefined) return { format: unfinished.format, positive: true };
    if (seen === 0 && unfinished.offset === 0) return { format: 'contextlog', positive: false };
  }
  if (seen === 0) return { format: 'kimi', positive: false };
  throw new CorruptSessionError(
    source,
    undefined,
    undefined,
    `cannot tell the format: no contextlog header and no record with a string "role" in its ${seen} non-blank ${seen === 1 ? 'line' : 'lines'}`,
  );
}

/** `detectFormatDetail`'s format. */
export async function detectFormat(
  handle: FileHandleLike,
  size: number,
  source: string,
): Promise<SessionFormat> {
  return (await detectFormatDetail(handle, size, source)).format;
}
