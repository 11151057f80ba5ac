import type { StoredEvent } from '@contextlog/core';
import { arbStoredEvents, fuzzRuns } from '@contextlog/testkit';
import { fc, test } from '@fast-check/vitest';
import { expect, it } from 'vitest';
import { encodeLines } from './encode-lines.js';

/** What the store wrote before: the lines joined into one string, encoded once. */
const joined = (events: readonly StoredEvent[]) =>
  Buffer.from(events.map((event) => `${JSON.stringify(event)}\n`).join(''), 'utf8');

// Any UTF-16 code unit: lone surrogates, control characters, quotes, non-ASCII, pairs.
const anyText = fc.string({
  unit: fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit)),
  maxLength: 40,
});

const event = (seq: number, texts: readonly string[]): StoredEvent => ({
  seq,
  v: 1,
  at: '2026-01-01T00:00:00.000Z',
  type: 'messages.appended',
  data: { messages: texts.map((text) => ({ role: 'user', content: text })) },
});

test.prop([arbStoredEvents({ maxLength: 8 })], { numRuns: fuzzRuns(100) })(
  'encodes a batch byte for byte as the joined lines',
  (events) => {
    expect(encodeLines(events).equals(joined(events))).toBe(true);
  },
);

test.prop([fc.array(fc.array(anyText, { minLength: 1, maxLength: 4 }), { maxLength: 6 })], {
  numRuns: fuzzRuns(200),
})('encodes any text, lone surrogates included, as the joined lines', (batches) => {
  const events = batches.map((texts, index) => event(index + 1, texts));
  expect(encodeLines(events).equals(joined(events))).toBe(true);
});

it('measures a batch above the over-allocation limit exactly, and encodes it the same', () => {
  const events = [event(1, ['你好😀'.repeat(400_000)]), event(2, ['a'.repeat(1_000_000)])];
  expect(encodeLines(events).equals(joined(events))).toBe(true);
  expect(encodeLines([]).length).toBe(0);
});

it('never stringifies a snapshot of several parts whole: its first part tells', () => {
  const messages: object[] = Array.from({ length: 3000 }, (_, i) => ({
    role: 'user',
    content: `${i} ${'y'.repeat(600)}`,
  }));
  // The last message, in the last part, counts how often it is turned into JSON.
  let stringified = 0;
  const last = { role: 'user', content: 'last' };
  Object.defineProperty(last, 'toJSON', {
    value: () => {
      stringified++;
      return { role: 'user', content: 'last' };
    },
  });
  messages.push(last);
  const snapshot = {
    seq: 9,
    type: 'state.snapshotted',
    v: 1,
    at: '2026-12-06T00:00:00.000Z',
    data: {
      state: {
        systemPrompt: null,
        messages,
        tokenCount: 0,
        pendingTextLength: 0,
        nextCheckpointId: 0,
        checkpoints: [],
        metadata: {},
        seq: 9,
      },
    },
  } as unknown as StoredEvent;
  const lines = encodeLines([snapshot]).toString('utf8').split('\n').slice(0, -1);
  expect(lines.length).toBeGreaterThan(1);
  expect(stringified).toBe(1);
});
