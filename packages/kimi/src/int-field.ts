import { isFloatToken, MAY_CHANGE, scanNumberTokens } from './number-tokens.js';

/**
 * A field of an internal record (`_usage.token_count`, `_checkpoint.id`) as kimi-cli's restore
 * reads it: only if `isinstance(value, int)`, which a bool passes (it is an int in Python) and a
 * float fails, `1.0` included. `value` is the field as contextlog holds it (a bool as 1 or 0);
 * `written` is its text in the line.
 */
export type KimiInt =
  | { readonly ok: true; readonly value: number; readonly written: string; readonly bool: boolean }
  | { readonly ok: false; readonly what: string };

export function kimiIntField(record: Record<string, unknown>, key: string, text: string): KimiInt {
  const value = record[key];
  if (typeof value === 'boolean') {
    return { ok: true, value: value ? 1 : 0, written: String(value), bool: true };
  }
  if (typeof value !== 'number') return { ok: false, what: describeValue(value) };
  if (!Number.isInteger(value)) return { ok: false, what: `a float (${value})` };
  // JSON.parse gives 1 for `1.0` and `1e0` too: the token tells the int from the float (a line
  // with no digit before a `.`, `e` or `E` has no float token). A duplicated key reads as its
  // last value, in json.loads as in JSON.parse.
  let token: string | undefined;
  if (MAY_CHANGE.test(text)) {
    scanNumberTokens(text, (candidate, pathOf) => {
      const path = pathOf();
      if (path.length === 1 && path[0] === key) token = candidate;
      return false;
    });
  }
  if (token !== undefined && isFloatToken(token)) return { ok: false, what: `a float (${token})` };
  // `+ 0` turns a `-0` (the int 0 for Python) into 0.
  return { ok: true, value: value + 0, written: token ?? String(value), bool: false };
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
