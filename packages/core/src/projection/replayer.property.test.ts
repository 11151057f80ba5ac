import { fc, test } from '@fast-check/vitest';
import { expect, it } from 'vitest';
import type { Message } from '../events/message.js';
import type { StoredEvent } from '../events/schemas.js';
import { createReplayer, project, stateToJson } from './project.js';
import { type ContextState, initialState } from './state.js';

/** The reference: one `project` per event, a path that shares none of the replayer's shortcuts. */
const foldAll = (events: readonly StoredEvent[]): ContextState =>
  events.reduce((state, event) => project(state, event), initialState());

type Body = Omit<StoredEvent, 'seq' | 'at' | 'v'>;

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

// Ids are small so that reverts often find their mark (and sometimes do not).
const arbBody: fc.Arbitrary<Body> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .array(arbMessage, { minLength: 1, maxLength: 3 })
      .map((messages): Body => ({ type: 'messages.appended', data: { messages } })),
  },
  {
    weight: 2,
    arbitrary: fc
      .nat(50)
      .map((tokenCount): Body => ({ type: 'usage.recorded', data: { tokenCount } })),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({ id: fc.nat(2), addUserMessage: fc.boolean() })
      .map((data): Body => ({ type: 'checkpoint.created', data })),
  },
  {
    weight: 2,
    arbitrary: fc
      .nat(2)
      .map((checkpointId): Body => ({ type: 'context.reverted', data: { checkpointId } })),
  },
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
);

test.prop([fc.array(fc.tuple(arbBody, fc.boolean()), { maxLength: 40 })], { numRuns: 300 })(
  'a replayer fed one event at a time, its state read at any point, equals replay of the same events',
  (steps) => {
    const replayer = createReplayer();
    const applied: StoredEvent[] = [];
    for (const [body, readState] of steps) {
      const event = { ...body, seq: applied.length + 1, v: 1, at: 'now' } as StoredEvent;
      try {
        replayer.apply(event);
      } catch {
        // A revert to a mark that is not live: refused, and nothing changed.
        expect(() => foldAll([...applied, event])).toThrow();
        continue;
      }
      applied.push(event);
      if (readState) expect(stateToJson(replayer.state)).toEqual(stateToJson(foldAll(applied)));
    }
    const state = replayer.state;
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
  const replayer = createReplayer();
  for (const event of events) replayer.apply(event);
  expect(replayer.state.pendingTextLength).toBe(3);
  expect(stateToJson(replayer.state)).toEqual(stateToJson(foldAll(events)));
});
