import type { Message } from '@contextlog/core';
import type { ContextEvent } from '@contextlog/core/store';
import { type KimiInt, kimiIntField } from './int-field.js';
import { normalizeKimiMessage } from './normalize-message.js';
import { type JsonPath, numberRefusal } from './number-tokens.js';
import { isPlainKimiMessage } from './plain-message.js';
import { parsePythonJson } from './python-json.js';

/**
 * Decodes one line of a kimi-cli `context.jsonl` (the bytes between two `\n`, without the `\n`;
 * a trailing `\r` is the line's own) the way kimi-cli's `Context.restore()` reads it:
 * - `blank`: whitespace only; kimi-cli ignores it.
 * - `record`: the event this record folds as (`_system_prompt` → `system_prompt.set`, `_usage` →
 *   `usage.recorded`, `_checkpoint` → `checkpoint.created` with `addUserMessage: false`, a message →
 *   `messages.appended` with that one message). The caller stamps `seq` (records folded so far + 1)
 *   and `at`. `warnings` say where contextlog keeps what kimi-cli would lose or alter (invalid
 *   UTF-8 replaced by U+FFFD, a tool call with null `arguments`, a part of unknown type).
 * - `invalid`: a line kimi-cli skips (not JSON, not an object, no string `role`, wrong field types,
 *   an invalid message); `reason` says why, naming the field.
 * - `refused`: a line kimi-cli reads but contextlog cannot keep as kimi-cli reads it (a number
 *   JavaScript would write back as another value or type, a checkpoint id out of contextlog's
 *   range); `reason` says why, naming the field. Never a silent change: readers refuse it.
 */
export type KimiLine =
  | { readonly kind: 'blank' }
  | { readonly kind: 'record'; readonly event: ContextEvent; readonly warnings: readonly string[] }
  | { readonly kind: 'invalid'; readonly reason: string; readonly warnings: readonly string[] }
  | { readonly kind: 'refused'; readonly reason: string; readonly warnings: readonly string[] };

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
// ignoreBOM keeps a BOM as U+FEFF, as Python's 'utf-8' codec does (json.loads then rejects it).
const lenientUtf8 = new TextDecoder('utf-8', { ignoreBOM: true });

// What Python's `str.strip()` removes (`str.isspace`): a line of only these is skipped by kimi-cli.
const PYTHON_SPACE = new Set([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001,
  0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f,
  0x205f, 0x3000,
]);

function isPythonBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (!PYTHON_SPACE.has(text.charCodeAt(i))) return false;
  }
  return true;
}

const BLANK: KimiLine = Object.freeze({ kind: 'blank' });

export function decodeKimiLine(bytes: Uint8Array): KimiLine {
  const warnings: string[] = [];
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    text = lenientUtf8.decode(bytes);
    warnings.push('invalid UTF-8 replaced by U+FFFD (as kimi-cli decodes it)');
  }
  // kimi-cli reads in text mode with universal newlines: a raw `\r` ends a line there too.
  if (text.includes('\r')) {
    const pieces = text.split('\r').filter((piece) => !isPythonBlank(piece));
    if (pieces.length > 1) {
      return invalid(
        `a raw carriage return splits this line into ${pieces.length} lines for kimi-cli (universal newlines); contextlog reads it as one line`,
        warnings,
      );
    }
    text = pieces[0] ?? '';
  }
  if (isPythonBlank(text)) return BLANK;
  return decodeKimiText(text, warnings);
}

/** Decodes a line already turned into text (no line break inside). */
export function decodeKimiText(text: string, warnings: string[] = []): KimiLine {
  // Python's json.loads refuses a str starting with U+FEFF ("Unexpected UTF-8 BOM"): kimi-cli
  // skips such a line; the reason names the mark, which is invisible when the line is shown.
  if (text.charCodeAt(0) === 0xfeff) {
    return invalid(
      'not JSON: the line starts with a byte-order mark (U+FEFF), which json.loads refuses',
      warnings,
    );
  }
  const parsed = parsePythonJson(text);
  if (!parsed.ok) return invalid(parsed.reason, warnings);
  warnings.push(...parsed.warnings);
  return decodeKimiValue(parsed.value, text, warnings);
}

/**
 * Decodes a line's parsed JSON value (what `decodeKimiText` does once the text parsed); `text`
 * is the line it was parsed from, whose number tokens tell an int from a float.
 */
export function decodeKimiValue(value: unknown, text: string, warnings: string[] = []): KimiLine {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return invalid(
      `not a JSON object (${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value})`,
      warnings,
    );
  }
  const record = value as Record<string, unknown>;
  if (!('role' in record)) return invalid('role: required', warnings);
  const { role } = record;
  if (typeof role !== 'string') return invalid('role: expected a string', warnings);
  switch (role) {
    case '_system_prompt': {
      const { content } = record;
      if (typeof content !== 'string') {
        return invalid(`content: expected a string in a _system_prompt record`, warnings);
      }
      return ok({ type: 'system_prompt.set', v: 1, data: { prompt: content } }, warnings);
    }
    case '_usage': {
      const count = kimiIntField(record, 'token_count', text);
      if (!count.ok) {
        return invalid(
          `token_count: expected an integer in a _usage record, not ${count.what}`,
          warnings,
        );
      }
      const tokenCount = storedCount(count, warnings);
      return ok({ type: 'usage.recorded', v: 1, data: { tokenCount } }, warnings);
    }
    case '_checkpoint': {
      const id = kimiIntField(record, 'id', text);
      if (!id.ok) {
        return invalid(`id: expected an integer in a _checkpoint record, not ${id.what}`, warnings);
      }
      if (id.value < 0 || !Number.isSafeInteger(id.value)) {
        return refused(
          `id: ${id.written} is a checkpoint id kimi-cli reads, but contextlog keeps ids from 0 to 2^53 - 1`,
          warnings,
        );
      }
      if (id.bool) warnings.push(`id: ${id.written} read as ${id.value}, as kimi-cli reads a bool`);
      return ok(
        { type: 'checkpoint.created', v: 1, data: { id: id.value, addUserMessage: false } },
        warnings,
      );
    }
    default: {
      // kimi-cli's own message lines need no normalization: the parsed value is the message.
      let message: Message;
      if (isPlainKimiMessage(record)) message = record as Message;
      else {
        const normalized = normalizeKimiMessage(record);
        if (!normalized.ok) return invalid(normalized.reason, warnings);
        warnings.push(...normalized.warnings);
        message = normalized.message;
      }
      const refusal = messageNumberRefusal(record, text);
      if (refusal !== undefined) return refused(refusal, warnings);
      return ok({ type: 'messages.appended', v: 1, data: { messages: [message] } }, warnings);
    }
  }
}

/**
 * Why a message line cannot be kept as kimi-cli reads it: a number that would change (see
 * number-tokens.ts), anywhere in it (tool-call `extras`, the one free-form JSON field kimi-cli
 * keeps, and the extra fields contextlog keeps) but `partial`, which is read as a bool.
 */
export function messageNumberRefusal(value: unknown, text: string): string | undefined {
  return numberRefusal(value, text, isPartial);
}

const isPartial = (path: JsonPath) => path.length === 1 && path[0] === 'partial';

/**
 * A `_usage` token count as contextlog stores it, a count from 0 to 2^53 - 1, with a warning
 * when that is not what kimi-cli holds: kimi-cli's `update_token_count` writes any int and its
 * restore reads it back, a bool included.
 */
function storedCount(count: KimiInt & { ok: true }, warnings: string[]): number {
  const { value, written, bool } = count;
  const stored = value < 0 ? 0 : Math.min(value, Number.MAX_SAFE_INTEGER);
  if (bool) warnings.push(`token_count: ${written} read as ${stored}, as kimi-cli reads a bool`);
  else if (stored !== value || !Number.isSafeInteger(value)) {
    warnings.push(
      `token_count: ${written} read as ${stored} (contextlog keeps a count from 0 to 2^53 - 1; kimi-cli keeps ${written})`,
    );
  }
  return stored;
}

function ok(event: ContextEvent, warnings: readonly string[]): KimiLine {
  return { kind: 'record', event, warnings };
}

function invalid(reason: string, warnings: readonly string[]): KimiLine {
  return { kind: 'invalid', reason, warnings };
}

function refused(reason: string, warnings: readonly string[]): KimiLine {
  return { kind: 'refused', reason, warnings };
}

/** True for a parsed JSON value that looks like a kimi-cli record: an object with a string `role`. */
export function looksLikeKimiRecord(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as { role?: unknown }).role === 'string'
  );
}
