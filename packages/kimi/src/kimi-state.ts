import type { ContextState, Message } from '@contextlog/core';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const MEDIA_TYPES = new Set(['image_url', 'audio_url', 'video_url']);

/**
 * A message as kimi-cli holds it in memory (pydantic's model), so two spellings of one message
 * compare equal: content as a list of parts, `encrypted` and media `id` present (null when
 * absent), a tool call's `arguments` present. Extra fields stay: contextlog keeps them.
 */
export function canonicalKimiMessage(message: Message): Json {
  const copy = structuredClone(message) as Record<string, Json>;
  const content = message.content;
  copy.content =
    typeof content === 'string'
      ? [{ type: 'text', text: content }]
      : content.map((part) => {
          const out = structuredClone(part) as Record<string, Json>;
          if (part.type === 'think') out.encrypted ??= null;
          if (MEDIA_TYPES.has(part.type)) {
            const media = out[part.type];
            if (typeof media === 'object' && media !== null && !Array.isArray(media)) {
              media.id ??= null;
            }
          }
          return out;
        });
  if (message.tool_calls !== undefined) {
    copy.tool_calls = message.tool_calls.map((call) => {
      const out = structuredClone(call) as Record<string, Json>;
      (out.function as Record<string, Json>).arguments ??= null;
      return out;
    });
  }
  return copy;
}

/** JSON with object keys sorted, so key order does not count. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value).sort();
    return `{${keys
      .map((key) => `${JSON.stringify(key)}:${stableJson((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The difference of two messages as kimi-cli sees them (`message I: A became B`), if any. */
export function kimiMessageDifference(
  index: number,
  expected: Message,
  actual: Message,
): string | undefined {
  // Most messages come back spelled as they were: the same JSON is the same message, without the
  // canonical copies (an export compares every message of the history).
  if (JSON.stringify(expected) === JSON.stringify(actual)) return undefined;
  const before = stableJson(canonicalKimiMessage(expected));
  const after = stableJson(canonicalKimiMessage(actual));
  return before === after ? undefined : `message ${index}: ${before} became ${after}`;
}

/**
 * The first way in which two states differ as kimi-cli sees a session (system prompt, messages,
 * token count, pending text, next checkpoint id, checkpoint marks), or undefined when they agree.
 * `seq` and metadata are not part of a kimi-cli session.
 */
export function kimiStateDifference(
  expected: ContextState,
  actual: ContextState,
  options: {
    readonly ignoreNextCheckpointId?: boolean;
    /** The messages were compared one by one already (as an export writes them): count only. */
    readonly messagesCompared?: boolean;
  } = {},
): string | undefined {
  if (expected.systemPrompt !== actual.systemPrompt) {
    return `system prompt: ${JSON.stringify(expected.systemPrompt)} became ${JSON.stringify(actual.systemPrompt)}`;
  }
  const fields = ['tokenCount', 'pendingTextLength', 'nextCheckpointId'] as const;
  for (const field of options.ignoreNextCheckpointId ? fields.slice(0, 2) : fields) {
    if (expected[field] !== actual[field]) {
      return `${field}: ${expected[field]} became ${actual[field]}`;
    }
  }
  const marks = [expected.checkpoints, actual.checkpoints].map(stableJson);
  if (marks[0] !== marks[1]) return `checkpoint marks: ${marks[0]} became ${marks[1]}`;
  if (expected.messages.length !== actual.messages.length) {
    return `message count: ${expected.messages.length} became ${actual.messages.length}`;
  }
  if (options.messagesCompared === true) return undefined;
  for (let i = 0; i < expected.messages.length; i++) {
    const difference = kimiMessageDifference(
      i,
      expected.messages[i] as Message,
      actual.messages[i] as Message,
    );
    if (difference !== undefined) return difference;
  }
  return undefined;
}
