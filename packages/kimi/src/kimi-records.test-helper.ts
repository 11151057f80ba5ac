import { fc } from '@fast-check/vitest';

// Objects shaped like kimi-cli records: mostly right, with any field free to be wrong.
const wrong = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom('function', 'text', 'think', 'image_url', 'x'),
);
const maybe = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 12, arbitrary: valid }, { weight: 1, arbitrary: wrong });
const nullable = <T>(valid: fc.Arbitrary<T>) => fc.option(valid, { nil: null });
const media = fc.record({ url: maybe(fc.string()), id: maybe(nullable(fc.string())) });
// Alike plain-message.property.test.ts's generator, tuned for decoding: kimi roles, wrong anything.
const part = maybe(
  fc.oneof(
    fc.record({ type: fc.constant('text'), text: maybe(fc.string()) }),
    fc.record(
      {
        type: fc.constant('think'),
        think: maybe(fc.string()),
        encrypted: maybe(nullable(fc.string())),
      },
      { requiredKeys: ['type', 'think'] },
    ),
    fc.record({ type: fc.constant('image_url'), image_url: maybe(media) }),
    fc.record({ type: fc.constant('audio_url'), audio_url: maybe(media) }),
    fc.record({ type: fc.constant('video_url'), video_url: maybe(media) }),
    fc.record({ type: fc.constantFrom('file', 'hologram'), data: wrong }),
    fc.dictionary(fc.constantFrom('text', 'think', 'x'), wrong),
  ),
);
const toolCall = maybe(
  fc.record(
    {
      type: maybe(fc.constant('function')),
      id: maybe(fc.string()),
      function: maybe(
        fc.record(
          { name: maybe(fc.string()), arguments: maybe(nullable(fc.string())) },
          { requiredKeys: ['name'] },
        ),
      ),
      extras: maybe(nullable(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 })))),
    },
    { requiredKeys: ['id', 'function'] },
  ),
);
/** Objects shaped like kimi-cli records (messages and internal records), any field free to be wrong. */
export const recordLike = fc.record(
  {
    role: maybe(
      fc.constantFrom(
        'user',
        'assistant',
        'tool',
        'system',
        '_usage',
        '_checkpoint',
        '_system_prompt',
        'robot',
      ),
    ),
    content: maybe(fc.oneof(fc.string(), fc.constant(null), fc.array(part, { maxLength: 3 }))),
    name: maybe(nullable(fc.string())),
    tool_calls: maybe(nullable(fc.array(toolCall, { maxLength: 2 }))),
    tool_call_id: maybe(nullable(fc.string())),
    partial: maybe(nullable(fc.oneof(fc.boolean(), fc.constantFrom(0, 1, 'yes', 'off')))),
    token_count: maybe(fc.nat()),
    id: maybe(fc.nat()),
    extra_field: wrong,
  },
  { requiredKeys: ['role'] },
);
