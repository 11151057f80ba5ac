import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { createEventParser } from '../dialect/event-parser.js';
import { ValidationError } from '../errors/index.js';
import type { JsonValue } from '../events/json.js';
import { parseStoredEvent } from '../events/parse.js';
import type { StoredEvent } from '../events/schemas.js';
import { foldEvents } from '../projection/fold.js';
import { type ContextState, snapshotStateOf } from '../projection/state.js';
import { createSnapshotAssembler } from './snapshot-assembler.js';
import {
  SNAPSHOT_LINE_CHARS,
  SNAPSHOT_PART_CHARS,
  type SnapshotPartsOptions,
  snapshotParts,
  snapshotStateParts,
} from './snapshot-parts.js';

const arbText = fc.string({ unit: 'grapheme', maxLength: 40 });

/** A state with every list a snapshot splits: messages, checkpoints, metadata, operation ids. */
const arbState: fc.Arbitrary<ContextState> = fc
  .record({
    prompt: fc.option(arbText, { nil: undefined }),
    turns: fc.array(
      fc.record({
        text: arbText,
        checkpoint: fc.boolean(),
        op: fc.option(fc.constantFrom('a', 'b', 'c', 'd'), { nil: undefined }),
      }),
      { maxLength: 30 },
    ),
    metadata: fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), {
      maxKeys: 6,
    }),
    tokenCount: fc.nat(1000),
  })
  .map(({ prompt, turns, metadata, tokenCount }) => {
    const bodies: Omit<StoredEvent, 'seq' | 'v' | 'at'>[] = [];
    if (prompt !== undefined) bodies.push({ type: 'system_prompt.set', data: { prompt } });
    let id = 0;
    for (const { text, checkpoint, op } of turns) {
      const append = { type: 'messages.appended' as const, data: { messages: [user(text)] } };
      bodies.push(op === undefined ? append : { ...append, op: `${op}${bodies.length}` });
      if (checkpoint)
        bodies.push({ type: 'checkpoint.created', data: { id: id++, addUserMessage: false } });
    }
    bodies.push({ type: 'usage.recorded', data: { tokenCount } });
    for (const [key, value] of Object.entries(metadata)) {
      if (key !== '__proto__')
        bodies.push({ type: 'metadata.set', data: { key, value: value as JsonValue } });
    }
    const events = bodies.map(
      (body, i) => ({ ...body, seq: i + 1, v: 1, at: 'now' }) as StoredEvent,
    );
    return foldEvents(events);
  });

const user = (text: string) => ({ role: 'user' as const, content: text });

/** The parts as a store keeps them, joined back by a fresh assembler. */
function assemble(state: ContextState, options: SnapshotPartsOptions): StoredEvent {
  const assembler = createSnapshotAssembler(createEventParser());
  let joined: StoredEvent | undefined;
  for (const part of snapshotParts(state, options)) {
    expect(joined).toBeUndefined();
    const raw = {
      seq: 7,
      type: 'state.snapshotted',
      v: 1,
      at: 'then',
      data: JSON.parse(part.text),
    };
    joined = assembler.add(raw, { index: part.index, last: part.last });
  }
  expect(assembler.pending).toBeUndefined();
  return joined as StoredEvent;
}

describe('snapshotParts and createSnapshotAssembler', () => {
  test.prop([arbState, fc.integer({ min: 1, max: 3000 }), fc.option(fc.nat(3000))], {
    numRuns: 200,
  })(
    'parts of any size join into the event snapshotStateOf gives, each part within its size unless one item alone is longer',
    (state, maxChars, extra) => {
      // With no single-part size, a state larger than one part is split.
      const maxSingleChars = maxChars + (extra ?? 0);
      const options = extra === null ? { maxChars } : { maxChars, maxSingleChars };
      const whole = parseStoredEvent({
        seq: 7,
        type: 'state.snapshotted',
        v: 1,
        at: 'then',
        data: { state: snapshotStateOf(state) },
      });
      expect(assemble(state, options)).toEqual(whole);
      const parts = [...snapshotParts(state, options)];
      expect(parts.map((part) => part.index)).toEqual(parts.map((_, i) => i));
      expect(parts.map((part) => part.last)).toEqual(parts.map((_, i) => i === parts.length - 1));
      const single = JSON.stringify({ state: snapshotStateOf(state) });
      // A part's first item of a list is counted with its key and brackets: a few chars of slack.
      if (single.length + 64 <= maxSingleChars) expect(parts).toHaveLength(1);
      for (const part of parts.length === 1 ? [] : parts.slice(1)) {
        // Over the size only when it holds a single item.
        if (part.text.length > maxChars) {
          const data = JSON.parse(part.text) as Record<string, unknown[] | object>;
          const items = Object.values(data).flatMap((list) =>
            Array.isArray(list) ? list : Object.keys(list),
          );
          expect(items).toHaveLength(1);
        }
      }
    },
  );

  test.prop([arbState])(
    'a state that fits in one part is the single-line snapshot, byte for byte',
    (state) => {
      const parts = [...snapshotParts(state, { maxChars: Number.MAX_SAFE_INTEGER })];
      expect(parts).toHaveLength(1);
      expect(parts[0]?.text).toBe(JSON.stringify({ state: snapshotStateOf(state) }));
    },
  );

  it('by default keeps a state of up to ~1 MiB on one line and splits a larger one in 64 KiB parts', () => {
    const stateOf = (messages: number) =>
      foldEvents([
        {
          seq: 1,
          v: 1,
          at: 'now',
          type: 'messages.appended',
          data: { messages: Array.from({ length: messages }, (_, i) => user(`${i}`.padEnd(1000))) },
        } as StoredEvent,
      ]);
    const small = [...snapshotParts(stateOf(900))];
    expect(small).toHaveLength(1);
    expect(small[0]?.text.length).toBeGreaterThan(SNAPSHOT_PART_CHARS);
    expect(small[0]?.text.length).toBeLessThanOrEqual(SNAPSHOT_LINE_CHARS);
    const large = [...snapshotParts(stateOf(1100))];
    expect(large.length).toBeGreaterThan(SNAPSHOT_LINE_CHARS / SNAPSHOT_PART_CHARS);
    for (const part of large) expect(part.text.length).toBeLessThanOrEqual(SNAPSHOT_PART_CHARS);
    expect(large.reduce((sum, part) => sum + part.messages, 0)).toBe(1100);
  });

  test.prop([arbState, fc.integer({ min: 1, max: 2000 })], { numRuns: 100 })(
    "a stored snapshot's data, fields it does not know included, joins back to that same value, key order kept",
    (state, maxChars) => {
      const data = { ...snapshotStateOf(state), pendingTokenEstimate: 3, later: { x: [1] } };
      const assembler = createSnapshotAssembler(createEventParser());
      let joined: StoredEvent | undefined;
      for (const part of snapshotStateParts(data, { maxChars })) {
        const raw = {
          seq: 9,
          type: 'state.snapshotted',
          v: 1,
          at: 'then',
          data: JSON.parse(part.text),
        };
        joined = assembler.add(raw, { index: part.index, last: part.last });
      }
      const whole = { seq: 9, type: 'state.snapshotted', v: 1, at: 'then', data: { state: data } };
      expect(JSON.stringify(joined)).toBe(JSON.stringify(parseStoredEvent(whole)));
    },
  );

  it('refuses parts out of order, from another seq or with a malformed message, and drops what it gathered', () => {
    const state = foldEvents(
      ['one', 'two', 'three'].map(
        (text, i) =>
          ({
            seq: i + 1,
            v: 1,
            at: 'now',
            type: 'messages.appended',
            data: { messages: [user(text)] },
          }) as StoredEvent,
      ),
    );
    const parts = [...snapshotParts(state, { maxChars: 10 })];
    expect(parts.length).toBeGreaterThan(2);
    const raw = (index: number, seq = 3) => ({
      seq,
      type: 'state.snapshotted',
      v: 1,
      at: 'now',
      data: JSON.parse(parts[index]?.text ?? '{}'),
    });
    const assembler = createSnapshotAssembler(createEventParser());
    expect(() => assembler.add(raw(1), { index: 1, last: false })).toThrow(/without its part 0/);
    assembler.add(raw(0), { index: 0, last: false });
    expect(assembler.pending).toEqual({ seq: 3, parts: 1 });
    expect(() => assembler.add(raw(2), { index: 2, last: false })).toThrow(/part 2 where part 1/);
    expect(assembler.pending).toBeUndefined();
    assembler.add(raw(0), { index: 0, last: false });
    expect(() => assembler.add(raw(1, 4), { index: 1, last: false })).toThrow(/seq 3/);
    assembler.add(raw(0), { index: 0, last: false });
    const broken = { ...raw(1), data: { messages: [{ role: 'nobody', content: 'x' }] } };
    const error = (() => {
      try {
        assembler.add(broken, { index: 1, last: false });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).path).toBe('data.messages[0].role');
    assembler.add(raw(0), { index: 0, last: false });
    const twice = { ...raw(1), data: { metadata: { k: 1 } } };
    assembler.add(twice, { index: 1, last: false });
    expect(() => assembler.add({ ...twice }, { index: 2, last: true })).toThrow(
      /"k" is in two parts/,
    );
  });

  it('refuses a value JSON could not give back, with its path', () => {
    const message = { role: 'user', content: 'x', extra: Number.NaN };
    const broken = foldEvents([
      { seq: 1, v: 1, at: 'now', type: 'messages.appended', data: { messages: [message] } },
    ] as StoredEvent[]);
    expect(() => [...snapshotParts(broken)]).toThrow(/messages\[0\]\.extra/);
  });
});
