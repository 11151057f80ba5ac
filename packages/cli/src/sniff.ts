import type { SessionFormat } from '@contextlog/fs-adapter';
import { detectFormatOfBlock } from '@contextlog/fs-adapter/formats';
import { FORMATS } from './formats.js';

/** What the first block of a file suggests, before any reader parses it. */
export interface Sniffed {
  /** Mostly control bytes or invalid UTF-8: an archive, an image, a database, not JSON text. */
  readonly binary: boolean;
  /**
   * The format the first line that says anything names (a contextlog header or event, a kimi-cli
   * record with a string `role`); undefined when no line in the block says.
   */
  readonly format: SessionFormat | undefined;
}

/**
 * Session files are JSON text, yet a valid one may hold a stray raw NUL or an invalid byte inside
 * a string (kimi-cli's Python writer lets them through), so no single byte decides: binary means a
 * high share of them. Random bytes have ~10 % C0 controls and ~45 % invalid UTF-8.
 */
const MAX_CONTROL_SHARE = 0.1;
const MAX_SUSPICIOUS_SHARE = 0.3;

function isControl(byte: number): boolean {
  return byte <= 0x08 || (byte >= 0x0e && byte <= 0x1f) || byte === 0x7f;
}

/** Length of the valid UTF-8 sequence at `i`, 0 if invalid; a sequence cut by the block's end counts as valid. */
function utf8Length(bytes: Uint8Array, i: number): number {
  const lead = bytes[i] as number;
  let length: number;
  let min: number;
  let max: number;
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
    min = 0x80;
    max = 0xbf;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    // No overlong forms (E0 A0..) and no surrogates (ED ..9F).
    min = lead === 0xe0 ? 0xa0 : 0x80;
    max = lead === 0xed ? 0x9f : 0xbf;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    min = lead === 0xf0 ? 0x90 : 0x80;
    max = lead === 0xf4 ? 0x8f : 0xbf;
  } else {
    return 0;
  }
  for (let k = 1; k < length; k++) {
    if (i + k >= bytes.length) return bytes.length - i;
    const next = bytes[i + k] as number;
    const [lo, hi] = k === 1 ? [min, max] : [0x80, 0xbf];
    if (next < lo || next > hi) return 0;
  }
  return length;
}

export function looksBinary(bytes: Uint8Array): boolean {
  if (bytes.length === 0) return false;
  let control = 0;
  let invalid = 0;
  for (let i = 0; i < bytes.length; ) {
    const byte = bytes[i] as number;
    if (isControl(byte)) control++;
    const length = utf8Length(bytes, i);
    if (length === 0) {
      invalid++;
      i++;
    } else {
      i += length;
    }
  }
  return (
    control > bytes.length * MAX_CONTROL_SHARE ||
    control + invalid > bytes.length * MAX_SUSPICIOUS_SHARE
  );
}

/**
 * The format of the first line in the block that names one, as the formats' own detection says
 * (looking past malformed lines; a line longer than the block is judged by how it starts).
 */
export function sniff(bytes: Uint8Array, complete: boolean): Sniffed {
  const binary = looksBinary(bytes);
  return { binary, format: binary ? undefined : detectFormatOfBlock(bytes, complete, FORMATS) };
}
