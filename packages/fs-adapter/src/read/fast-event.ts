import type { StoredEvent } from '@contextlog/core';
import { isOperationId } from '@contextlog/core/store';
import {
  isCount,
  isJsonRecord as isRecord,
  isRole,
  isToolCallShape,
  type Json,
  knownPartIsValid,
  optionalOf,
} from './json-shape.js';

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
  const { seq, v, at, type, data, op } = value;
  if (v !== 1 || typeof at !== 'string' || typeof seq !== 'number') return undefined;
  if (!Number.isSafeInteger(seq) || seq < 1 || !isRecord(data)) return undefined;
  // The envelope's five keys, and `op` when the command had an operation id.
  if (keyCount(value) !== (op === undefined ? 5 : 6)) return undefined;
  if (op !== undefined && !isOperationId(op)) return undefined;
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

function keyCount(value: Json): number {
  let n = 0;
  for (const _ in value) n++;
  return n;
}

/**
 * Whether `value` is certainly a kimi-cli message that core's schema accepts and returns
 * unchanged (see `fastStoredEvent`): also the fast path of a snapshot's parts.
 */
export function isMessage(value: unknown): boolean {
  if (!isRecord(value)) return false;
  const { role, content } = value;
  if (!isRole(role)) return false;
  if (typeof content !== 'string') {
    if (!Array.isArray(content)) return false;
    for (const part of content) if (!isPart(part)) return false;
  }
  if (!optionalOf(value.name, 'string') || !optionalOf(value.tool_call_id, 'string')) return false;
  if (!optionalOf(value.partial, 'boolean')) return false;
  const calls = value.tool_calls;
  if (calls !== undefined) {
    if (!Array.isArray(calls)) return false;
    for (const call of calls) if (!isToolCallShape(call)) return false;
  }
  return true;
}

function isPart(value: unknown): boolean {
  // A part kind from a newer writer is kept verbatim (core's UnknownPartSchema).
  return isRecord(value) && (knownPartIsValid(value) ?? typeof value.type === 'string');
}
