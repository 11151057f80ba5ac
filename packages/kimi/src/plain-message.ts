import {
  isJsonRecord as isRecord,
  isRole,
  isToolCallShape,
  knownPartIsValid,
  optionalOf,
} from '@contextlog/fs-adapter/formats';

/**
 * A fast path in front of `normalizeKimiMessage` for the message lines kimi-cli itself writes.
 * It only ever says yes: true means the parsed line `value` is a message that
 * `normalizeKimiMessage` would return unchanged (an equal copy, same key order), with no warning,
 * and that core's `MessageSchema` accepts. Anything else (a `null` to drop, a tool call without
 * `type` or `arguments`, an unknown part type, a doubtful shape) answers false and takes the
 * normalizing path with its errors and warnings. Imports are dominated by per-line costs; this
 * saves the copy and the zod pass of every message. `plain-message.property.test.ts` checks
 * "true implies normalizeKimiMessage returns an equal value and no warnings".
 */
export function isPlainKimiMessage(value: unknown): boolean {
  if (!isRecord(value)) return false;
  const { role, content } = value;
  if (!isRole(role)) return false;
  if (typeof content !== 'string') {
    if (!Array.isArray(content)) return false;
    for (const part of content) if (!isKnownPart(part)) return false;
  }
  // pydantic's `X | None` fields: null is dropped by normalization, so not plain.
  if (!optionalOf(value.name, 'string') || !optionalOf(value.tool_call_id, 'string')) return false;
  const { partial } = value;
  if (partial !== undefined && typeof partial !== 'boolean') return false;
  // Loops as fs-adapter's fast-event check does; a plain call is what normalization keeps as is.
  const calls = value.tool_calls;
  if (calls !== undefined) {
    if (!Array.isArray(calls)) return false;
    for (const call of calls) if (!isPlainToolCall(call)) return false;
  }
  return true;
}

function isKnownPart(value: unknown): boolean {
  // A kind unknown to kimi-cli is not plain: normalization warns about it.
  return isRecord(value) && (knownPartIsValid(value) ?? false);
}

function isPlainToolCall(value: unknown): boolean {
  if (!isToolCallShape(value)) return false;
  // A null `arguments` is normalized with a warning: not plain.
  if (typeof (value as { function: { arguments: unknown } }).function.arguments !== 'string') {
    return false;
  }
  // Normalization writes `type` first ({type: 'function', ...call}): plain only if it already is.
  for (const key in value as object) return key === 'type';
  return false;
}
