import { fc, test } from '@fast-check/vitest';
import { expect, it } from 'vitest';
import type { Message } from '../events/message.js';
import type { StoredEvent } from '../events/schemas.js';
import { type Body, historyBodies } from './bodies.test-helper.js';
import { createFold, foldBatch } from './fold.js';
import { type ContextState, initialState, stateToJson } from './state.js';

/**
 * The reference: the engine's path, one immer batch per event, which shares none of the plain
 * fold's shortcuts.
 */
const foldAll = (events: readonly StoredEvent[]): ContextState =>
  events.reduce((state, event) => foldBatch(state, (fold) => fold.apply(event)), initialState());

const arbText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.constantFrom('😀a', '你好', 'x\uD800', '\uDC00y'),
);
const arbMessage: fc.Arbitrary<Message> = fc.record({
  role: fc.constantFrom('user', 'assistant', 'tool', 'system'),
  content: fc.oneof(
    arbText,
    fc.array(
      fc.oneof(
        fc.record({ type: fc.constant('text' as const), text: arbText }),
        fc.record({ type: fc.constant('think' as const), think: arbText }),
      ),
      { maxLength: 2 },
    ),
  ),
});

const arbBody: fc.Arbitrary<Body> = fc
  .oneof(
    ...historyBodies(arbMessage, { maxId: 2, maxIndex: 6 }),
    fc.constant<Body>({ type: 'context.cleared', data: {} }),
    fc
      .record({
        messages: fc.array(arbMessage, { maxLength: 2 }),
        tokenCount: fc.option(fc.nat(50), { nil: undefined }),
      })
      .map(
        ({ messages, tokenCount }): Body => ({
          type: 'context.compacted',
          data: tokenCount === undefined ? { messages } : { messages, tokenCount },
        }),
      ),
    arbText.map((prompt): Body => ({ type: 'system_prompt.set', data: { prompt } })),
    // Nested values: on an immer draft, copying the metadata drafts them, and immer must give the
    // originals back (a revoked draft left inside the state would throw when read).
    fc
      .record({ key: fc.constantFrom('a', 'b', 'c'), value: fc.jsonValue({ maxDepth: 2 }) })
      .map((data): Body => ({ type: 'metadata.set', data: data as { key: string; value: never } })),
  )
  .chain((body) =>
    // Some events carry an operation id, a few the same one: the state remembers them.
    fc
      .option(fc.constantFrom('x', 'y', 'z'), { nil: undefined, freq: 2 })
      .map((op): Body => (op === undefined ? body : ({ ...body, op } as Body))),
  );

test.prop([fc.array(fc.tuple(arbBody, fc.boolean()), { maxLength: 40 })], { numRuns: 300 })(
  'a fold fed one event at a time, its state read at any point, equals replay of the same events',
  (steps) => {
    const fold = createFold();
    const applied: StoredEvent[] = [];
    for (const [body, readState] of steps) {
      const event = { ...body, seq: applied.length + 1, v: 1, at: 'now' } as StoredEvent;
      try {
        fold.apply(event);
      } catch {
        // A revert to a mark that is not live: refused, and nothing changed.
        expect(() => foldAll([...applied, event])).toThrow();
        continue;
      }
      applied.push(event);
      if (readState) expect(stateToJson(fold.state)).toEqual(stateToJson(foldAll(applied)));
    }
    const state = fold.state;
    expect(stateToJson(state)).toEqual(stateToJson(foldAll(applied)));
    expect(state.pendingTextLength).toBe(foldAll(applied).pendingTextLength);
  },
);

it('counts the text appended after a revert that cut off uncounted messages', () => {
  const bodies: Body[] = [
    { type: 'checkpoint.created', data: { id: 0, addUserMessage: false } },
    { type: 'messages.appended', data: { messages: [{ role: 'user', content: 'aaaa' }] } },
    { type: 'usage.recorded', data: { tokenCount: 7 } },
    { type: 'messages.appended', data: { messages: [{ role: 'user', content: 'bb' }] } },
    { type: 'context.reverted', data: { checkpointId: 0 } },
    { type: 'messages.appended', data: { messages: [{ role: 'user', content: 'ccc' }] } },
  ];
  const events = bodies.map((body, i) => ({ ...body, seq: i + 1, v: 1, at: 'now' }) as StoredEvent);
  const fold = createFold();
  for (const event of events) fold.apply(event);
  expect(fold.state.pendingTextLength).toBe(3);
  expect(stateToJson(fold.state)).toEqual(stateToJson(foldAll(events)));
});

test.prop([fc.array(fc.tuple(arbBody, fc.boolean()), { maxLength: 40 })], { numRuns: 300 })(
  'the engine path (batches of any size, one immer produce each) equals replay on a plain object, and leaves every earlier state as it was',
  (steps) => {
    const replayed = createFold();
    let live = initialState();
    const earlier: [ContextState, unknown][] = [];
    let index = 0;
    while (index < steps.length) {
      // A batch runs to the first step flagged true (included), as a drain takes what is queued.
      let end = index;
      while (end < steps.length - 1 && !steps[end]?.[1]) end++;
      const batch = steps.slice(index, end + 1);
      index = end + 1;
      earlier.push([live, stateToJson(live)]);
      live = foldBatch(live, (fold) => {
        for (const [body] of batch) {
          const event = { ...body, seq: fold.seq + 1, v: 1, at: 'now' } as StoredEvent;
          try {
            fold.apply(event);
          } catch {
            // A revert to a mark that is not live: refused, nothing changed; the batch goes on.
            expect(() => replayed.apply(event)).toThrow();
            continue;
          }
          replayed.apply(event);
        }
      });
      expect(stateToJson(live)).toEqual(stateToJson(replayed.state));
      expect(Object.isFrozen(live.metadata)).toBe(true);
      for (const value of Object.values(live.metadata)) {
        if (typeof value === 'object' && value !== null) expect(Object.isFrozen(value)).toBe(true);
      }
    }
    for (const [state, json] of earlier) expect(stateToJson(state)).toEqual(json);
  },
);
