/**
 * JSON as Python's `json` module reads and writes it, for kimi-cli's `context.jsonl`.
 *
 * Reading: kimi-cli parses with `json.loads(strict=False)`, which accepts raw control characters
 * (U+0000–U+001F) inside strings and the literals `NaN`, `Infinity` and `-Infinity`; `JSON.parse`
 * rejects both. Writing: kimi-cli's internal records come from `json.dumps` with its defaults.
 */

export type PythonJsonResult =
  | { readonly ok: true; readonly value: unknown; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly reason: string };

const NON_FINITE = ['-Infinity', 'Infinity', 'NaN'] as const;

/**
 * Rewrites what `json.loads(strict=False)` accepts and `JSON.parse` does not: raw control
 * characters inside strings become `\u00XX` escapes (the same string), and the non-finite
 * literals outside strings become `null` (JSON has no such number; contextlog cannot hold one).
 * Characters outside strings are left alone, so whatever `json.loads` rejects still fails.
 */
function rewriteForJsonParse(text: string): { text: string; nonFinite: string[] } {
  let out = '';
  let copiedTo = 0;
  let inString = false;
  const nonFinite: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 0x5c) {
        i++; // the escaped character, whatever it is, belongs to the escape
      } else if (code === 0x22) {
        inString = false;
      } else if (code < 0x20) {
        out += `${text.slice(copiedTo, i)}\\u${code.toString(16).padStart(4, '0')}`;
        copiedTo = i + 1;
      }
      continue;
    }
    if (code === 0x22) {
      inString = true;
      continue;
    }
    if (code === 0x4e || code === 0x49 || code === 0x2d) {
      const literal = NON_FINITE.find((word) => text.startsWith(word, i));
      if (literal !== undefined) {
        out += `${text.slice(copiedTo, i)}null`;
        copiedTo = i + literal.length;
        i += literal.length - 1;
        nonFinite.push(literal);
      }
    }
  }
  return { text: copiedTo === 0 ? text : out + text.slice(copiedTo), nonFinite };
}

/** Parses one line's text as `json.loads(text, strict=False)` would. */
export function parsePythonJson(text: string): PythonJsonResult {
  try {
    return { ok: true, value: JSON.parse(text), warnings: [] };
  } catch (first) {
    const rewritten = rewriteForJsonParse(text);
    if (rewritten.text === text) return { ok: false, reason: `not JSON: ${messageOf(first)}` };
    try {
      const value: unknown = JSON.parse(rewritten.text);
      const warnings = rewritten.nonFinite.map(
        (literal) => `the number ${literal} (which JSON cannot hold) was read as null`,
      );
      return { ok: true, value, warnings };
    } catch (second) {
      return { ok: false, reason: `not JSON: ${messageOf(second)}` };
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A string literal as `json.dumps` writes it (`ensure_ascii=True`): every non-ASCII unit escaped. */
export function pythonJsonString(text: string): string {
  let out = '"';
  let copiedTo = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x20 && code < 0x7f && code !== 0x22 && code !== 0x5c) continue;
    out += text.slice(copiedTo, i) + escapeUnit(code);
    copiedTo = i + 1;
  }
  return `${out}${text.slice(copiedTo)}"`;
}

function escapeUnit(code: number): string {
  switch (code) {
    case 0x22:
      return '\\"';
    case 0x5c:
      return '\\\\';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x09:
      return '\\t';
    case 0x08:
      return '\\b';
    case 0x0c:
      return '\\f';
    default:
      // Astral characters are already two UTF-16 units here, so they come out as a surrogate
      // pair, as Python writes them.
      return `\\u${code.toString(16).padStart(4, '0')}`;
  }
}

/**
 * A flat object as `json.dumps` writes it with default separators (`", "`, `": "`): enough for
 * kimi-cli's internal records, whose values are strings and integers.
 */
export function pythonJsonDumps(record: Readonly<Record<string, string | number>>): string {
  const fields = Object.entries(record).map(
    ([key, value]) =>
      `${pythonJsonString(key)}: ${typeof value === 'string' ? pythonJsonString(value) : String(value)}`,
  );
  return `{${fields.join(', ')}}`;
}
