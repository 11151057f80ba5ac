import { fc, test } from '@fast-check/vitest';
import { expect, it } from 'vitest';
import type { Message } from '../events/message.js';
import type { StoredEvent } from '../events/schemas.js';
import { createFold } from './fold.js';
import { createMessageCounter } from './message-counter.js';

type Body = Omit<StoredEvent, 'seq' | 'at' | 'v'>;

const arbMessage: fc.Arbitrary<Message> = fc.record({
  role: fc.constantFrom('user', 'assistant'),
  content: fc.string({ maxLength: 4 }),
});
const arbDialect = fc.record({
  name: fc.constantFrom('kimi-cli', 'notes'),
  version: fc.constantFrom(1, 2),
});

// Small ids, so that reverts often find their mark and sometimes do not; every event type.
const arbBody: fc.Arbitrary<Body> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .array(arbMessage, { minLength: 1, maxLength: 3 })
      .map((messages): Body => ({ type: 'messages.appended', data: { messages } })),
  },
  {
    weight: 3,
    arbitrary: fc
      .record({ id: fc.nat(3), addUserMessage: fc.boolean() })
      .map((data): Body => ({ type: 'checkpoint.created', data })),
  },
  {
    weight: 3,
    arbitrary: fc
      .nat(3)
      .map((checkpointId): Body => ({ type: 'context.reverted', data: { checkpointId } })),
  },
  fc.nat(50).map((tokenCount): Body => ({ type: 'usage.recorded', data: { tokenCount } })),
  fc.constant<Body>({ type: 'context.cleared', data: {} }),
  fc
    .array(arbMessage, { maxLength: 2 })
    .map((messages): Body => ({ type: 'context.compacted', data: { messages, tokenCount: 1 } })),
  fc.string().map((prompt): Body => ({ type: 'system_prompt.set', data: { prompt } })),
  fc
    .record({ key: fc.constantFrom('a', 'b'), value: fc.nat() })
    .map((data): Body => ({ type: 'metadata.set', data })),
  fc
    .record({ dialect: arbDialect, estimator: fc.constantFrom('kimi-cli', 'words') })
    .map((data): Body => ({ type: 'session.declared', data })),
  // History edits, at indexes inside, at and past the end of the history.
  fc
    .record({ from: fc.nat(6), messages: fc.array(arbMessage, { maxLength: 2 }) })
    .map((data): Body => ({ type: 'messages.replaced', data })),
  fc
    .record({ index: fc.nat(6), message: arbMessage })
    .map((data): Body => ({ type: 'message.replaced', data })),
  fc
    .record(
      {
        messages: fc.array(arbMessage, { maxLength: 3 }),
        nextCheckpointId: fc.nat(4),
        checkpoints: fc.array(
          fc.record({
            id: fc.nat(3),
            messageCount: fc.nat(5),
            tokenCount: fc.constant(0),
            pendingTextLength: fc.constant(0),
          }),
          { maxLength: 3 },
        ),
        dialect: arbDialect,
        estimator: fc.constantFrom('kimi-cli', 'words'),
      },
      { requiredKeys: ['messages', 'nextCheckpointId', 'checkpoints'] },
    )
    .map(
      (state): Body => ({
        type: 'state.snapshotted',
        data: {
          state: {
            systemPrompt: null,
            tokenCount: 0,
            pendingTextLength: 0,
            metadata: {},
            ...state,
          },
        },
      }),
    ),
);

test.prop([fc.array(arbBody, { maxLength: 40 })], { numRuns: 500 })(
  'counts the messages, seq, dialect and estimator the fold has after every event, and refuses what it refuses',
  (bodies) => {
    const fold = createFold();
    const counter = createMessageCounter();
    for (const body of bodies) {
      const event = { ...body, seq: fold.seq + 1, v: 1, at: 'now' } as StoredEvent;
      let refused: unknown;
      try {
        fold.apply(event);
      } catch (error) {
        refused = error;
      }
      if (refused !== undefined) {
        // The same refusal, with the same words: a file store's validating pass counts instead
        // of folding, and its error must be the one a fold gives.
        const before = counter.messageCount;
        let counted: unknown;
        try {
          counter.apply(event);
        } catch (error) {
          counted = error;
        }
        expect(counted).toBeInstanceOf((refused as object).constructor);
        expect((counted as Error).message).toBe((refused as Error).message);
        expect(counter.messageCount).toBe(before);
        continue;
      }
      counter.apply(event);
      const { state } = fold;
      expect(counter.messageCount).toBe(state.messages.length);
      expect(counter.seq).toBe(state.seq);
      expect(counter.dialect).toEqual(state.dialect);
      expect(counter.estimator).toBe(state.estimator);
    }
  },
);

it('keeps two numbers per live mark: a revert forgets the marks after it', () => {
  const counter = createMessageCounter();
  const events: Body[] = [
    { type: 'checkpoint.created', data: { id: 0, addUserMessage: true } },
    { type: 'messages.appended', data: { messages: [{ role: 'user', content: 'a' }] } },
    { type: 'checkpoint.created', data: { id: 1, addUserMessage: false } },
    { type: 'messages.appended', data: { messages: [{ role: 'user', content: 'b' }] } },
    { type: 'context.reverted', data: { checkpointId: 1 } },
  ];
  for (const [i, body] of events.entries()) {
    counter.apply({ ...body, seq: i + 1, v: 1, at: 'now' } as StoredEvent);
  }
  expect(counter.messageCount).toBe(2);
  expect(() =>
    counter.apply({ type: 'context.reverted', data: { checkpointId: 1 }, seq: 6, v: 1, at: '' }),
  ).toThrow('checkpoint 1 does not exist (live checkpoints: 0)');
});
