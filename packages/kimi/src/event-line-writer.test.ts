import { readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { Message, StoredEvent } from '@contextlog/core';
import { sharedTempDir } from '@contextlog/fs-adapter/testing/vitest';
import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { createEventLineWriter } from './event-line-writer.js';

const scratch = sharedTempDir();

const at = '2026-01-02T03:04:05.678Z';
const count = fc.maxSafeInteger().filter((n) => n >= 0);
const message = fc.record({
  role: fc.constantFrom('user', 'assistant'),
  content: fc.string(),
}) as fc.Arbitrary<Message>;
const eventOf = fc.oneof(
  fc.record({ tokenCount: count }).map((data) => ({ type: 'usage.recorded', data })),
  fc
    .record({ id: count, addUserMessage: fc.boolean() })
    .map((data) => ({ type: 'checkpoint.created', data })),
  fc.record({ prompt: fc.string() }).map((data) => ({ type: 'system_prompt.set', data })),
  message.map((m) => ({ type: 'messages.appended', data: { messages: [m] }, splice: true })),
);

let run = 0;
test.prop([fc.array(fc.tuple(eventOf, fc.integer({ min: 1, max: 2 ** 40 })), { maxLength: 30 })], {
  numRuns: 60,
})('every line is the bytes JSON.stringify gives the event (spliced or not)', async (items) => {
  const path = join(scratch.path, `out-${run++}.jsonl`);
  const handle = await open(path, 'wx');
  const writer = createEventLineWriter(handle, at, 64);
  const expected: string[] = [];
  for (const [{ type, data, splice }, seq] of items as [
    { type: string; data: unknown; splice?: boolean },
    number,
  ][]) {
    const event = { seq, type, v: 1, at, data } as StoredEvent;
    expected.push(`${JSON.stringify(event)}\n`);
    if (splice === true) {
      const text = Buffer.from(` ${JSON.stringify((data as { messages: Message[] }).messages[0])}`);
      writer.splicedMessage(seq, text, 1, text.length);
    } else writer.event(event);
    if (seq % 3 === 0) await writer.flush();
  }
  expect(await writer.finish()).toBe(Buffer.byteLength(expected.join('')));
  await handle.close();
  expect(readFileSync(path, 'utf8')).toBe(expected.join(''));
});

test.prop([fc.array(fc.string({ unit: 'grapheme' }), { maxLength: 30 })], { numRuns: 40 })(
  'line() writes each text and a newline; buffered counts the bytes not yet written',
  async (texts) => {
    const path = join(scratch.path, `lines-${run++}.jsonl`);
    const handle = await open(path, 'wx');
    const writer = createEventLineWriter(handle, at);
    let pending = 0;
    for (const [i, text] of texts.entries()) {
      writer.line(text);
      pending += Buffer.byteLength(text) + 1;
      expect(writer.buffered).toBe(pending);
      if (i % 4 === 3) {
        await writer.flush();
        pending = 0;
        expect(writer.buffered).toBe(0);
      }
    }
    await writer.finish();
    await handle.close();
    expect(readFileSync(path, 'utf8')).toBe(texts.map((text) => `${text}\n`).join(''));
  },
);
