import { KNOWN_PART_TYPES, type Message } from '@contextlog/core';
import { pythonJsonDumps } from './python-json.js';

/** A part kimi-cli cannot hold: its restore crashes on a part type it does not know. */
export class UnknownPartTypeError extends Error {
  constructor(readonly partType: string) {
    super(`a content part of type "${partType}", which kimi-cli cannot read (its restore crashes)`);
  }
}

type Entries = [string, unknown][];

// kosong's `Message` field order, as pydantic's `model_dump_json` writes it.
const MESSAGE_FIELDS = ['role', 'name', 'content', 'tool_calls', 'tool_call_id', 'partial'];
const TOOL_CALL_FIELDS = ['type', 'id', 'function', 'extras'];
const FUNCTION_FIELDS = ['name', 'arguments'];
const MEDIA_FIELDS = ['url', 'id'];

/**
 * Serializes `entries` as a compact JSON object. Built by hand rather than through an object so
 * that a key such as `__proto__` (legal in JSON, kept by the decoder) is written like any other.
 */
function objectJson(entries: Entries): string {
  let out = '{';
  for (const [key, value] of entries) {
    if (value === undefined) continue;
    if (out.length > 1) out += ',';
    out += `${JSON.stringify(key)}:${value instanceof Raw ? value.json : JSON.stringify(value)}`;
  }
  return `${out}}`;
}

/** Already serialized JSON, placed as is. */
class Raw {
  constructor(readonly json: string) {}
}

/** The fields of `source` that `known` does not list, in their order: extras kimi-cli ignores. */
function extras(source: object, known: readonly string[]): Entries {
  return Object.entries(source).filter(([key]) => !known.includes(key));
}

function get(source: object, key: string): unknown {
  return Object.hasOwn(source, key) ? (source as Record<string, unknown>)[key] : undefined;
}

function partJson(part: Record<string, unknown> & { type: string }): string {
  const { type } = part;
  if (!KNOWN_PART_TYPES.has(type)) throw new UnknownPartTypeError(type);
  switch (type) {
    case 'text':
      return objectJson([['type', type], ['text', part.text], ...extras(part, ['type', 'text'])]);
    case 'think':
      // pydantic writes parts without dropping nulls.
      return objectJson([
        ['type', type],
        ['think', part.think],
        ['encrypted', get(part, 'encrypted') ?? null],
        ...extras(part, ['type', 'think', 'encrypted']),
      ]);
    default: {
      // A media part keeps its reference under its own type: `{"type":"image_url","image_url":…}`.
      const media = part[type] as Record<string, unknown>;
      const ref = objectJson([
        ['url', media.url],
        ['id', get(media, 'id') ?? null],
        ...extras(media, MEDIA_FIELDS),
      ]);
      return objectJson([['type', type], [type, new Raw(ref)], ...extras(part, ['type', type])]);
    }
  }
}

/**
 * The text of content that is exactly one plain text part, which kosong's serializer writes as a
 * bare string (kimi-cli reads either back as the same message); a text part with extra fields
 * stays a list so the extras survive.
 */
export function singleTextOf(content: Message['content']): string | undefined {
  if (typeof content === 'string' || content.length !== 1) return undefined;
  const only = content[0];
  return only?.type === 'text' && Object.keys(only).length === 2 && typeof only.text === 'string'
    ? only.text
    : undefined;
}

function contentJson(content: Message['content']): Raw | string {
  if (typeof content === 'string') return content;
  return singleTextOf(content) ?? new Raw(`[${content.map((part) => partJson(part)).join(',')}]`);
}

function toolCallJson(call: NonNullable<Message['tool_calls']>[number]): string {
  const fn = call.function;
  // An explicit null, unlike kimi-cli's own writer (which drops it and then cannot read the
  // message back): pydantic accepts `"arguments":null`, so the message survives a resume.
  const fnJson = objectJson([
    ['name', fn.name],
    ['arguments', fn.arguments ?? null],
    ...extras(fn, FUNCTION_FIELDS),
  ]);
  return objectJson([
    ['type', call.type],
    ['id', call.id],
    ['function', new Raw(fnJson)],
    ['extras', call.extras ?? undefined],
    ...extras(call, TOOL_CALL_FIELDS),
  ]);
}

/**
 * A message line as kimi-cli writes it (pydantic `model_dump_json(exclude_none=True)`): compact,
 * raw UTF-8, kosong's field order, content a bare string when it is exactly one text part, nulls
 * kept inside parts. Extra fields follow the known ones (kimi-cli ignores them on read).
 * Throws `UnknownPartTypeError` for a part kimi-cli cannot read.
 */
export function encodeKimiMessage(message: Message): string {
  const toolCalls = message.tool_calls;
  return objectJson([
    ['role', message.role],
    ['name', message.name],
    ['content', contentJson(message.content)],
    [
      'tool_calls',
      toolCalls === undefined ? undefined : new Raw(`[${toolCalls.map(toolCallJson).join(',')}]`),
    ],
    ['tool_call_id', message.tool_call_id],
    ['partial', message.partial],
    ...extras(message, MESSAGE_FIELDS),
  ]);
}

export function encodeSystemPrompt(prompt: string): string {
  return pythonJsonDumps({ role: '_system_prompt', content: prompt });
}

export function encodeCheckpoint(id: number): string {
  return pythonJsonDumps({ role: '_checkpoint', id });
}

export function encodeUsage(tokenCount: number): string {
  return pythonJsonDumps({ role: '_usage', token_count: tokenCount });
}
