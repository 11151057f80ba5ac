import { formatPath } from '@contextlog/core/store';

/**
 * Numbers of a kimi-cli line that contextlog cannot keep as kimi-cli reads them.
 *
 * kimi-cli reads a line with Python's `json.loads`: a number token without `.`, `e` or `E` is an
 * int of any size, any other a float. contextlog holds what `JSON.parse` makes of it, a double,
 * and writes it back with `JSON.stringify`. A token survives that when kimi-cli reads the written
 * text as the value and type it read from the token: `1.5`, `7`, `1e300` do; `1.0` and `1e20`
 * (a float that would come back as an int), `-0.0` (`0`), `18446744073709551616` (rounded to
 * `18446744073709552000`) and `1e400` (infinite, written as `null`) do not. Node 20 has neither
 * `JSON.rawJSON` nor a reviver's source text, so such a token cannot be kept as written: the
 * reader refuses it, naming the field.
 */

export type JsonPath = readonly (string | number)[];

/**
 * What contextlog would write back for the number token `text`, when kimi-cli would read that
 * as another value or type; undefined when it reads back the same.
 */
export function numberChange(text: string): string | undefined {
  const float = isFloatToken(text);
  // Up to 15 digits an int is exact in a double and written back digit for digit.
  if (!float && text.length <= 15) return undefined;
  const value = Number(text);
  const written = JSON.stringify(value);
  if (float) {
    // A float: kept when the text written back is a float too (the same double either way).
    return Number.isFinite(value) && /[.e]/.test(written) ? undefined : written;
  }
  // An int: kept when written back digit for digit (`-0` is the int 0 in Python too).
  return written === (text === '-0' ? '0' : text) ? undefined : written;
}

/** A token Python reads as a float: it has a fraction or an exponent. */
export const isFloatToken = (text: string): boolean => /[.eE]/.test(text);

/**
 * What a line must hold somewhere (in a string, maybe) to hold a number token that may not
 * survive: a digit before a fraction or an exponent (`1.0`, `1e20`, `-0.0`), or 16 digits in a
 * row (an int past what a double holds exactly). Most lines that hold a number hold neither, and
 * skip the scan.
 */
export const MAY_CHANGE = /\d[.eE]|\d{16}/;

/**
 * Why the line `text`, parsed as `value`, cannot be kept as kimi-cli reads it: its first number
 * token that would not survive (see `numberChange`), named by its path. `ignore` leaves out
 * tokens at paths whose numbers are not kept as numbers.
 */
export function numberRefusal(
  value: unknown,
  text: string,
  ignore?: (path: JsonPath) => boolean,
): string | undefined {
  if (!holdsIntegralNumber(value) || !MAY_CHANGE.test(text)) return undefined;
  let refusal: string | undefined;
  scanNumberTokens(text, (token, pathOf) => {
    const written = numberChange(token);
    if (written === undefined) return false;
    const path = pathOf();
    if (ignore?.(path) === true) return false;
    refusal = `${formatPath(path)}: the number ${token} cannot be kept as written: contextlog would hold and write it as ${written}, which kimi-cli reads as another value or type`;
    return true;
  });
  return refusal;
}

/**
 * True when a parsed value holds a number whose token may not survive: only an integral or
 * non-finite value can come from one (a float token with a fraction is written back as a float).
 * A walk of the value, so that the text of most lines, which hold no such number, is not scanned.
 */
export function holdsIntegralNumber(value: unknown): boolean {
  // Strings first: they are most of a message's values.
  const type = typeof value;
  if (type === 'string' || type === 'boolean' || value === null) return false;
  if (type === 'number') {
    return Number.isInteger(value as number) || !Number.isFinite(value as number);
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (holdsIntegralNumber(value[i])) return true;
    return false;
  }
  for (const key in value as object) {
    if (holdsIntegralNumber((value as Record<string, unknown>)[key])) return true;
  }
  return false;
}

const isDigit = (code: number) => code >= 0x30 && code <= 0x39;
// What a number token is made of: digits, `.`, `e`, `E`, `+`, `-`.
const inNumber = (code: number) =>
  isDigit(code) ||
  code === 0x2e ||
  code === 0x65 ||
  code === 0x45 ||
  code === 0x2b ||
  code === 0x2d;

/**
 * Calls `visit` with each number token of `text`, a JSON text that parsed (as
 * `json.loads(strict=False)` reads it: raw control characters in strings and the literals `NaN`,
 * `Infinity`, `-Infinity` pass), in text order, and a function giving its path from the top
 * value; stops when `visit` returns true. One pass, linear in the text; strings are skipped by
 * searching for their closing quote.
 */
export function scanNumberTokens(
  text: string,
  visit: (token: string, pathOf: () => JsonPath) => boolean,
): void {
  // Per open container: whether it is an array, and its index (array) or the offset of its
  // current key's string literal (object), decoded only when a path is asked for.
  const arrays: boolean[] = [];
  const keys: number[] = [];
  const pathOf = (): JsonPath =>
    keys.map((key, depth) =>
      arrays[depth] === true ? key : keyOf(text.slice(key, closingQuote(text, key) + 1)),
    );
  let expectKey = false;
  let i = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === 0x22) {
      if (expectKey) {
        keys[keys.length - 1] = i;
        expectKey = false;
      }
      i = closingQuote(text, i) + 1;
    } else if (code === 0x7b || code === 0x5b) {
      arrays.push(code === 0x5b);
      keys.push(0);
      expectKey = code === 0x7b;
      i++;
    } else if (code === 0x7d || code === 0x5d) {
      arrays.pop();
      keys.pop();
      i++;
    } else if (code === 0x2c) {
      const depth = keys.length - 1;
      if (arrays[depth] === true) keys[depth] = (keys[depth] as number) + 1;
      else expectKey = true;
      i++;
    } else if (code === 0x2d || isDigit(code)) {
      const start = i;
      i++;
      while (i < text.length && inNumber(text.charCodeAt(i))) i++;
      // A lone `-` starts `-Infinity`, whose letters the last branch skips.
      if ((i - start > 1 || code !== 0x2d) && visit(text.slice(start, i), pathOf)) return;
    } else i++;
  }
}

/** Where the string literal opening at `start` closes (or the text's end, for a torn one). */
function closingQuote(text: string, start: number): number {
  let end = text.indexOf('"', start + 1);
  while (end !== -1) {
    let backslashes = 0;
    while (text.charCodeAt(end - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return end;
    end = text.indexOf('"', end + 1);
  }
  return text.length;
}

/** The key a JSON string literal spells, raw control characters (json.loads allows them) included. */
function keyOf(literal: string): string {
  try {
    return JSON.parse(literal) as string;
  } catch {
    let escaped = '';
    for (let i = 0; i < literal.length; i++) {
      const code = literal.charCodeAt(i);
      escaped += code < 0x20 ? `\\u${code.toString(16).padStart(4, '0')}` : literal[i];
    }
    return JSON.parse(escaped) as string;
  }
}
