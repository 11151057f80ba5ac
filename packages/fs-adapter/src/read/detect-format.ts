import { CorruptSessionError } from '@contextlog/core';
import { isHeaderLike } from '../format/header.js';
import type { FileHandleLike } from '../fs/file-system.js';
import { decodeKimiLine, looksLikeKimiRecord } from '../kimi/decode-line.js';
import { lineBatches } from './line-batches.js';
import type { SessionFormat } from './types.js';

const MAX_LINES = 100;
const MAX_BYTES = 4 << 20;

function isBlank(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c !== 32 && c !== 9 && c !== 13 && c !== 10 && c !== 12 && c !== 11) return false;
  }
  return true;
}

/** What one non-blank line says about the format, if anything. */
function classify(bytes: Buffer): SessionFormat | undefined {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    // kimi-cli also accepts raw control characters inside strings, which JSON.parse refuses.
    try {
      return decodeKimiLine(bytes).kind === 'record' ? 'kimi' : undefined;
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

/**
 * Tells a contextlog file (its header, or stored events) from a kimi-cli one (objects with a
 * string `role`) by the first lines that say anything, looking past malformed ones. An empty file
 * is an empty contextlog session; a file of blank lines an empty kimi-cli one.
 */
export async function detectFormat(
  handle: FileHandleLike,
  size: number,
  source: string,
): Promise<SessionFormat> {
  if (size === 0) return 'contextlog';
  let seen = 0;
  for await (const batch of lineBatches(handle, 0, Math.min(size, MAX_BYTES), 64 << 10)) {
    const { buf, from, to } = batch;
    const lines: Array<[number, number]> = [];
    let start = from;
    while (start < to) {
      const nl = buf.indexOf(10, start);
      const end = nl === -1 || nl >= to ? to : nl;
      lines.push([start, end]);
      start = end + 1;
    }
    if (batch.final && batch.tailEnd > to) lines.push([to, batch.tailEnd]);
    for (const [s, e] of lines) {
      if (isBlank(buf, s, e)) continue;
      const format = classify(buf.subarray(s, e));
      if (format !== undefined) return format;
      if (++seen >= MAX_LINES) break;
    }
    if (seen >= MAX_LINES) break;
  }
  if (seen === 0) return 'kimi';
  throw new CorruptSessionError(
    source,
    undefined,
    undefined,
    `cannot tell the format: no contextlog header and no record with a string "role" in the first ${seen} non-blank lines`,
  );
}
