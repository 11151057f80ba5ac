import type { StoredEvent } from '@contextlog/core';

/**
 * A fast path in front of core's `parseStoredEvent` for the events that make up almost every
 * line of a session (messages, usage, system prompt, checkpoints). It only ever says yes: it
 * returns the parsed JSON value itself when that value is certainly valid and exactly what
 * `parseStoredEvent` would return (no keys zod would strip, no upcast), and undefined for
 * anything else, which then goes through `parseStoredEvent` and its errors. Replay is dominated by
 * per-line costs; this saves the validating copy of each event. `fast-event.test.ts` checks the
 * "yes implies zod returns an equal value" property on generated and mutated events.
 */
export function fastStoredEvent(value: unknown): StoredEvent | undefined {
  if (!isRecord(value)) return undefined;
  const { seq, v, at, type, data } = value;
  if (v !== 1 || typeof at !== 'string' || typeof seq !== 'number') return undefined;
  if (!Number.isSafeInteger(seq) || seq < 1 || !isRecord(data)) return undefined;
  if (keyCount(value) !== 5) return undefined;
  switch (type) {
    case 'messages.appended': {
      const { messages } = data;
      if (keyCount(data) !== 1 || !Array.isArray(messages) || messages.length === 0) {
        return undefined;
      }
      for (const message of messages) if (!isMessage(message)) return undefined;
      break;
    }
    case 'usage.recorded':
      if (keyCount(data) !== 1 || !isCount(data.tokenCount)) return undefined;
      break;
    case 'system_prompt.set':
      if (keyCount(data) !== 1 || typeof data.prompt !== 'string') return undefined;
      break;
    case 'checkpoint.created':
      if (keyCount(data) !== 2 || !isCount(data.id) || typeof data.addUserMessage !== 'boolean') {
        return undefined;
      }
      break;
    default:
      return undefined;
  }
  return value as unknown as StoredEvent;
}

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    // JSON.parse makes "__proto__" an own key; a validating copy would not keep it as one.
    !Object.hasOwn(value, '__proto__')
  );
}

function keyCount(value: Json): number {
  let n = 0;
  for (const _ in value) n++;
  return n;
}

const isCount = (value: unknown): boolean =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

const optional = (value: unknown, kind: 'string' | 'boolean'): boolean =>
  value === undefined || typeof value === kind;

const nullableString = (value: unknown): boolean =>
  value === undefined || value === null || typeof value === 'string';

function isMessage(value: unknown): boolean {
  if (!isRecord(value)) return false;
  const { role, content } = value;
  if (role !== 'user' && role !== 'assistant' && role !== 'tool' && role !== 'system') return false;
  if (typeof content !== 'string') {
    if (!Array.isArray(content)) return false;
    for (const part of content) if (!isPart(part)) return false;
  }
  if (!optional(value.name, 'string') || !optional(value.tool_call_id, 'string')) return false;
  if (!optional(value.partial, 'boolean')) return false;
  const calls = value.tool_calls;
  if (calls !== undefined) {
    if (!Array.isArray(calls)) return false;
    for (const call of calls) if (!isToolCall(call)) return false;
  }
  return true;
}

function isPart(value: unknown): boolean {
  if (!isRecord(value)) return false;
  switch (value.type) {
    case 'text':
      return typeof value.text === 'string';
    case 'think':
      return typeof value.think === 'string' && nullableString(value.encrypted);
    case 'image_url':
    case 'audio_url':
    case 'video_url': {
      const media = value[value.type];
      return isRecord(media) && typeof media.url === 'string' && nullableString(media.id);
    }
    default:
      // A part kind from a newer writer: kept verbatim (core's UnknownPartSchema).
      return typeof value.type === 'string';
  }
}

function isToolCall(value: unknown): boolean {
  if (!isRecord(value) || value.type !== 'function' || typeof value.id !== 'string') return false;
  const fn = value.function;
  if (!isRecord(fn) || typeof fn.name !== 'string') return false;
  if (fn.arguments !== null && typeof fn.arguments !== 'string') return false;
  return value.extras === undefined || isRecord(value.extras);
}
