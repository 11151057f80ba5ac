import { KNOWN_PART_TYPES, type Message, MessageSchema } from '@contextlog/core';
import { toValidationError } from '@contextlog/core/store';
import { z } from 'zod';

export type NormalizedMessage =
  | { readonly ok: true; readonly message: Message; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly reason: string };

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Top-level fields pydantic declares `X | None = None`: `null` there is the same as absent. */
const NULLABLE_FIELDS = ['name', 'tool_calls', 'tool_call_id', 'partial'] as const;

// pydantic's lax bool parsing of strings (case-insensitive).
const TRUE_STRINGS = new Set(['1', 'on', 't', 'true', 'y', 'yes']);
const FALSE_STRINGS = new Set(['0', 'off', 'f', 'false', 'n', 'no']);

class Invalid extends Error {}

// Compiled once: every message line of a kimi-cli file goes through it.
const MESSAGE = z.compile(MessageSchema);

/**
 * Brings a kimi-cli message line into the shape kimi-cli's pydantic model gives it, then checks it
 * with core's `MessageSchema`: `content: null` is no parts, a top-level `null` is an absent field,
 * a tool call without `type` is a function call. Unlike kimi-cli, nothing it would lose is dropped:
 * extra fields stay, a tool call without `arguments` keeps `arguments: null`, and a part of a
 * type kimi-cli does not know stays verbatim; each of these losses is named in `warnings`.
 */
export function normalizeKimiMessage(raw: JsonObject): NormalizedMessage {
  const warnings: string[] = [];
  try {
    const message: JsonObject = { ...raw };
    for (const field of NULLABLE_FIELDS) {
      if (message[field] === null) delete message[field];
    }
    if (!('content' in message)) throw new Invalid('content: required');
    message.content = normalizeContent(message.content, warnings);
    if (message.tool_calls !== undefined) {
      message.tool_calls = normalizeToolCalls(message.tool_calls, warnings);
    }
    if (message.partial !== undefined) message.partial = laxBool(message.partial, warnings);
    const checked = MESSAGE.safeParse(message);
    if (!checked.success) throw new Invalid(toValidationError(checked.error).message);
    return { ok: true, message: message as Message, warnings };
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, reason: error.message };
    throw error;
  }
}

function normalizeContent(content: unknown, warnings: string[]): unknown {
  if (content === null) return [];
  if (!Array.isArray(content)) return content; // a string stays; anything else fails the schema
  content.forEach((part: unknown, index) => {
    const where = `content[${index}]`;
    if (!isObject(part)) throw new Invalid(`${where}: expected an object (a content part)`);
    if (!('type' in part)) throw new Invalid(`${where}.type: required`);
    if (typeof part.type !== 'string') throw new Invalid(`${where}.type: expected a string`);
    if (!KNOWN_PART_TYPES.has(part.type)) {
      warnings.push(
        `${where}: part type "${part.type}" is unknown to kimi-cli (its restore crashes on it); kept verbatim`,
      );
    }
  });
  return content;
}

function normalizeToolCalls(toolCalls: unknown, warnings: string[]): unknown {
  if (!Array.isArray(toolCalls)) throw new Invalid('tool_calls: expected an array');
  return toolCalls.map((call: unknown, index) => {
    const where = `tool_calls[${index}]`;
    if (!isObject(call)) throw new Invalid(`${where}: expected an object`);
    // pydantic's default `type="function"`; written first, where kosong declares it.
    const normalized: JsonObject = { type: 'function', ...call };
    if (normalized.type !== 'function') throw new Invalid(`${where}.type: expected "function"`);
    if (normalized.extras === null) delete normalized.extras;
    const fn = normalized.function;
    if (!isObject(fn)) throw new Invalid(`${where}.function: expected an object`);
    if (!('arguments' in fn)) {
      normalized.function = { ...fn, arguments: null };
      warnings.push(
        `${where}.function.arguments is missing: kimi-cli drops this message on resume; kept with arguments null`,
      );
    } else if (fn.arguments === null) {
      warnings.push(
        `${where}.function.arguments is null: kimi-cli omits it when it writes the message and then drops the message on resume; kept`,
      );
    }
    return normalized;
  });
}

function laxBool(value: unknown, warnings: string[]): unknown {
  if (typeof value === 'boolean') return value;
  let parsed: boolean | undefined;
  if (value === 0 || value === 1) parsed = value === 1;
  else if (typeof value === 'string') {
    const lower = value.toLowerCase();
    if (TRUE_STRINGS.has(lower)) parsed = true;
    else if (FALSE_STRINGS.has(lower)) parsed = false;
  }
  if (parsed === undefined) throw new Invalid('partial: expected a boolean');
  warnings.push(`partial: ${JSON.stringify(value)} read as ${parsed}, as pydantic coerces it`);
  return parsed;
}
