import { parseStoredEvent } from '@contextlog/core/store';
import { fc, test } from '@fast-check/vitest';
import { afterAll, describe, expect } from 'vitest';
import { decodeKimiLine } from './decode-line.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const utf8 = (text: string) => new TextEncoder().encode(text);

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
const recordLike = fc.record(
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

describe('decodeKimiLine on arbitrary input', () => {
  const seen = { record: 0, invalid: 0, refused: 0 };
  afterAll(() => {
    // The generator must reach both outcomes, or the property below says little.
    console.log(`kimi decode property: ${JSON.stringify(seen)}`);
    expect(seen.record).toBeGreaterThan(RUNS / 20);
    expect(seen.invalid).toBeGreaterThan(RUNS / 20);
  });

  test.prop([fc.uint8Array({ maxLength: 200 })], { numRuns: RUNS })('never throws', (bytes) => {
    expect(['blank', 'record', 'invalid', 'refused']).toContain(decodeKimiLine(bytes).kind);
  });

  test.prop([recordLike], { numRuns: RUNS })(
    'a record it accepts is an event core accepts (so an import can store it)',
    (value) => {
      const decoded = decodeKimiLine(utf8(JSON.stringify(value)));
      if (decoded.kind !== 'blank') seen[decoded.kind]++;
      if (decoded.kind === 'invalid') {
        expect(decoded.reason).not.toBe('');
        return;
      }
      // JSON.stringify writes every number as it reads back: only a checkpoint id out of
      // contextlog's range is refused in a line it wrote.
      if (decoded.kind === 'refused') {
        expect(decoded.reason).toMatch(/^id: -?\d/);
        return;
      }
      expect(decoded.kind).toBe('record');
      if (decoded.kind !== 'record') return;
      const stored = { ...decoded.event, seq: 1, at: '2026-01-01T00:00:00.000Z' };
      expect(parseStoredEvent(JSON.parse(JSON.stringify(stored)))).toEqual(stored);
    },
  );
});
