import type { ContentPart, Message, ToolCall } from '@contextlog/core';
import fc from 'fast-check';
import { arbJsonValue } from './json-value.js';
import { arbName, arbText } from './strings.js';

const arbMediaRef = fc.record(
  {
    url: fc.oneof(fc.webUrl(), fc.constant('data:image/png;base64,iVBORw0KGgo=')),
    id: fc.option(arbName()),
  },
  { requiredKeys: ['url'] },
);

/** A part kind from a newer writer: kept verbatim, counted as no text. */
const arbUnknownPart: fc.Arbitrary<ContentPart> = fc.record({
  type: fc.constantFrom('tool_result', 'file', 'x-future-part'),
  text: arbText(),
  payload: arbJsonValue(),
}) as fc.Arbitrary<ContentPart>;

/** Every part kind a `Message` may hold, known or not. */
export function arbContentPart(): fc.Arbitrary<ContentPart> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.record({ type: fc.constant('text' as const), text: arbText() }) },
    {
      weight: 1,
      arbitrary: fc.record(
        {
          type: fc.constant('think' as const),
          think: arbText(),
          encrypted: fc.option(arbText(8), { nil: null }),
        },
        { requiredKeys: ['type', 'think'] },
      ),
    },
    {
      weight: 1,
      arbitrary: fc.record({ type: fc.constant('image_url' as const), image_url: arbMediaRef }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ type: fc.constant('audio_url' as const), audio_url: arbMediaRef }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ type: fc.constant('video_url' as const), video_url: arbMediaRef }),
    },
    { weight: 1, arbitrary: arbUnknownPart },
  );
}

/** A tool call; `arguments` may be null (kimi-cli loses such messages; we must not). */
export function arbToolCall(): fc.Arbitrary<ToolCall> {
  return fc.record(
    {
      type: fc.constant('function' as const),
      id: arbName(),
      function: fc.record({
        name: arbName(),
        arguments: fc.oneof(
          fc.constant(null),
          fc.constant('{}'),
          arbText(),
          fc.constant('{"path":"漢字/😀.txt","n":1}'),
        ),
      }),
      extras: fc.dictionary(arbName(), arbJsonValue(), { maxKeys: 2 }),
    },
    { requiredKeys: ['type', 'id', 'function'] },
  );
}

export interface ArbMessageOptions {
  /** Most parts in a parts-array content (default 3). */
  readonly maxParts?: number;
}

/**
 * Any message of kimi-cli's shape: string or parts content (every part kind, unknown ones too),
 * tool calls with null arguments, optional fields, and text with emoji, CJK, quotes, control
 * characters and lone surrogates.
 */
export function arbMessage(options: ArbMessageOptions = {}): fc.Arbitrary<Message> {
  const maxParts = options.maxParts ?? 3;
  return fc.record(
    {
      role: fc.constantFrom(
        'user' as const,
        'assistant' as const,
        'tool' as const,
        'system' as const,
      ),
      content: fc.oneof(
        { weight: 3, arbitrary: arbText() },
        { weight: 2, arbitrary: fc.array(arbContentPart(), { maxLength: maxParts }) },
      ),
      name: arbName(),
      tool_calls: fc.array(arbToolCall(), { minLength: 1, maxLength: 2 }),
      tool_call_id: arbName(),
      partial: fc.boolean(),
    },
    { requiredKeys: ['role', 'content'] },
  ) as fc.Arbitrary<Message>;
}
