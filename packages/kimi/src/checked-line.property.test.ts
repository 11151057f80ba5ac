import type { Message } from '@contextlog/core';
import { createFold } from '@contextlog/core/store';
import { fc, test } from '@fast-check/vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { checkedLine, decodeWrittenLine, holdsNegativeZero, kimiSpelling } from './checked-line.js';
import { decodeKimiLine, decodeKimiValue } from './decode-line.js';
import { encodeKimiMessage } from './encode-line.js';
import { KimiExportError } from './errors.js';
import { recordLike } from './kimi-records.test-helper.js';
import { kimiMessageDifference } from './kimi-state.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const utf8 = (text: string) => Buffer.from(text, 'utf8');

// Any text, lone surrogates and raw `\r` included, most of it shaped like a record line.
// UTF-16 code units, so lone surrogates too (fast-check's 'binary' unit gives none).
const anyText = fc.string({
  unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
  maxLength: 40,
});
const lineLike = fc.oneof(
  anyText,
  anyText.map((text) => `{${text}`),
  fc.tuple(recordLike, anyText).map(([value, text]) => JSON.stringify(value).replace('"', text)),
  recordLike.map((value) => JSON.stringify(value)),
  // Raw in a string: a lone surrogate (UTF-8 makes it U+FFFD), a control character, `\r`.
  anyText.map((text) => `{"role":"user","content":"${text.replace(/["\\]/g, '')}"}`),
);

const encodable = (message: Message) => {
  try {
    encodeKimiMessage(message);
    return true;
  } catch {
    return false; // a part kimi-cli cannot read: refused before any line is written
  }
};

/** Messages as a reader gives them (whatever a kimi-cli-like line decodes to) that export writes. */
const message = recordLike
  .map((value) => decodeKimiLine(utf8(JSON.stringify(value))))
  .filter((line) => line.kind === 'record' && line.event.type === 'messages.appended')
  .map(
    (line) =>
      (line.kind === 'record' && line.event.type === 'messages.appended'
        ? line.event.data.messages[0]
        : undefined) as Message,
  )
  .filter(encodable);

/** One text part, with or without a field kimi-cli ignores (a list kimi-cli spells as a string). */
const oneTextPart = fc
  .tuple(fc.constantFrom('user', 'assistant'), fc.string(), fc.option(fc.string()))
  .map(
    ([role, text, note]): Message => ({
      role,
      content: [{ type: 'text', text, ...(note === null ? {} : { note }) }],
    }),
  );
const liveMessage = fc.oneof(message, oneTextPart);

describe('the fast paths of checkedLine agree with decoding the bytes', () => {
  test.prop([lineLike], { numRuns: RUNS })(
    'decodeWrittenLine(line) is decodeKimiLine of its UTF-8 bytes',
    (line) => {
      expect(decodeWrittenLine(line)).toEqual(decodeKimiLine(utf8(line)));
    },
  );

  // Without -0, as checkedLine's fast path takes them: JSON.stringify writes -0 as 0.
  test.prop([recordLike.filter((value) => !holdsNegativeZero(value))], { numRuns: RUNS })(
    'JSON data decodes as the line JSON.stringify writes of it',
    (value) => {
      const line = JSON.stringify(value);
      expect(decodeKimiValue(value, line, [])).toEqual(decodeKimiLine(utf8(line)));
    },
  );

  const seen = { accepted: 0, refused: 0, spelled: 0 };
  afterAll(() => {
    // Both outcomes and the spelled fast path must be reached, or the property says little.
    console.log(`checkedLine property: ${JSON.stringify(seen)}`);
    expect(seen.accepted).toBeGreaterThan(RUNS / 20);
    expect(seen.refused).toBeGreaterThan(RUNS / 20);
    expect(seen.spelled).toBeGreaterThan(RUNS / 20);
  });

  const lineFor = (expected: Message, other: Message) =>
    fc.constantFrom(
      JSON.stringify(kimiSpelling(expected)),
      JSON.stringify(expected),
      JSON.stringify(kimiSpelling(other)),
      encodeKimiMessage(expected),
      encodeKimiMessage(other),
    );

  test.prop(
    [
      fc
        .tuple(liveMessage, liveMessage)
        .chain(([expected, other]) => fc.tuple(fc.constant(expected), lineFor(expected, other))),
    ],
    { numRuns: RUNS },
  )(
    'a message line is accepted exactly when its bytes decode to the live message',
    ([expected, line]) => {
      // The slow reference: decode the bytes, compare as kimi-cli sees messages.
      const decoded = decodeKimiLine(utf8(line));
      const clean =
        decoded.kind === 'record' &&
        decoded.warnings.every((warning) => /\.function\.arguments is null/.test(warning)) &&
        decoded.event.type === 'messages.appended' &&
        decoded.event.data.messages.length === 1 &&
        kimiMessageDifference(0, expected, decoded.event.data.messages[0] as Message) === undefined;
      const restored = createFold();
      let accepted: boolean;
      try {
        checkedLine('s.jsonl', line, restored, { messages: [expected], next: 0 });
        accepted = true;
      } catch (error) {
        if (!(error instanceof KimiExportError)) throw error;
        accepted = false;
      }
      seen[accepted ? 'accepted' : 'refused']++;
      if (line === JSON.stringify(kimiSpelling(expected))) seen.spelled++;
      expect(accepted).toBe(clean);
      if (accepted) expect(restored.state.messages).toEqual([expected]);
    },
  );
});

it('reads a live message holding -0 back from its line (written 0), and accepts it', () => {
  const message = { role: 'user', content: 'x', extra: { n: -0 } } as Message;
  expect(holdsNegativeZero(message)).toBe(true);
  expect(holdsNegativeZero({ role: 'user', content: 'x', extra: [0, 1] })).toBe(false);
  const restored = createFold();
  const live = { messages: [message], next: 0 };
  checkedLine('test', encodeKimiMessage(message), restored, live);
  expect(live.next).toBe(1);
  expect(restored.state.messages[0]).toBe(message);
});
