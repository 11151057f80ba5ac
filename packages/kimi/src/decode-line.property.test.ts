import { parseStoredEvent } from '@contextlog/core/store';
import { fc, test } from '@fast-check/vitest';
import { afterAll, describe, expect } from 'vitest';
import { decodeKimiLine } from './decode-line.js';
import { recordLike } from './kimi-records.test-helper.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const utf8 = (text: string) => new TextEncoder().encode(text);

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
