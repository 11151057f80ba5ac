import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { type Message, textLength } from '../events/message.js';
import type { CheckpointMark, StoredEvent } from '../events/schemas.js';
import { type Body, historyBodies } from './bodies.test-helper.js';
import { createFold, foldBatch, foldEvents } from './fold.js';
import { type ContextState, initialState, stateToJson } from './state.js';

/**
 * The rules of edits written the plain way (whole arrays, every count recomputed), next to the
 * events they are checked with: what the O(k) code in edits.ts must agree with.
 */
interface Model {
  messages: Message[];
  marks: CheckpointMark[];
  tokenCount: number;
  pending: number;
  nextCheckpointId: number;
}

const textOf = (messages: readonly Message[]) =>
  messages.reduce((sum, message) => sum + textLength(message), 0);

/** The model after `body`, or undefined when the event must be refused. */
function modelAfter(model: Model, body: Body): Model | undefined {
  const m = { ...model, messages: model.messages.slice(), marks: model.marks.slice() };
  switch (body.type) {
    case 'messages.appended':
      m.messages.push(...body.data.messages);
      m.pending += textOf(body.data.messages);
      return m;
    case 'usage.recorded':
      m.tokenCount = body.data.tokenCount;
      m.pending = 0;
      return m;
    case 'checkpoint.created':
      m.marks.push({
        id: body.data.id,
        messageCount: m.messages.length,
        tokenCount: m.tokenCount,
        pendingTextLength: m.pending,
      });
      m.nextCheckpointId = body.data.id + 1;
      if (body.data.addUserMessage) {
        const message = {
          role: 'user' as const,
          content: `<system>CHECKPOINT ${body.data.id}</system>`,
        };
        m.messages.push(message);
        m.pending += textLength(message);
      }
      return m;
    case 'context.reverted': {
      const id = body.data.checkpointId;
      const at = id < m.nextCheckpointId ? m.marks.findIndex((mark) => mark.id === id) : -1;
      const mark = m.marks[at];
      if (mark === undefined) return undefined;
      m.messages.length = mark.messageCount;
      m.marks.length = at;
      m.tokenCount = mark.tokenCount;
      m.pending = mark.pendingTextLength;
      m.nextCheckpointId = id;
      return m;
    }
    case 'messages.replaced':
    case 'message.replaced': {
      const replacing = body.type === 'messages.replaced';
      const i = replacing ? body.data.from : body.data.index;
      if (replacing ? i > m.messages.length : i >= m.messages.length) return undefined;
      const before = m.messages;
      const after = replacing
        ? [...before.slice(0, i), ...body.data.messages]
        : before.map((message, j) => (j === i ? body.data.message : message));
      const kept = m.marks.filter((mark) => mark.messageCount <= i);
      const last = kept.at(-1);
      if (kept.length < m.marks.length && last !== undefined) {
        m.tokenCount = last.tokenCount;
        m.pending = last.pendingTextLength + textOf(after.slice(last.messageCount));
      } else if (replacing) {
        m.pending = Math.max(0, m.pending - textOf(before.slice(i))) + textOf(body.data.messages);
      } else if (textOf(before.slice(i)) <= m.pending) {
        m.pending += textLength(body.data.message) - textLength(before[i] as Message);
      }
      m.messages = after;
      m.marks = kept;
      return m;
    }
    default:
      throw new Error(`not modelled: ${body.type}`);
  }
}

const arbText = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('', '😀a', '你好'));
const arbMessage: fc.Arbitrary<Message> = fc.record({
  role: fc.constantFrom('user', 'assistant'),
  content: fc.oneof(
    arbText,
    fc.array(fc.record({ type: fc.constant('text' as const), text: arbText }), { maxLength: 2 }),
  ),
});

const arbBody: fc.Arbitrary<Body> = fc.oneof(
  ...historyBodies(arbMessage, { maxId: 4, maxIndex: 8 }),
);

const EMPTY: Model = { messages: [], marks: [], tokenCount: 0, pending: 0, nextCheckpointId: 0 };

function expectModel(state: ContextState, model: Model): void {
  expect(stateToJson(state)).toMatchObject({
    messages: model.messages,
    checkpoints: model.marks,
    tokenCount: model.tokenCount,
    pendingTextLength: model.pending,
    nextCheckpointId: model.nextCheckpointId,
  });
}

describe('history edits', () => {
  test.prop([fc.array(arbBody, { maxLength: 30 })], { numRuns: 500 })(
    'follow the rules (checked against a plain model), in replay and in engine batches alike',
    (bodies) => {
      const fold = createFold();
      let model = EMPTY;
      let live = initialState();
      const earlier: [ContextState, unknown][] = [];
      for (const [n, body] of bodies.entries()) {
        const event = { ...body, seq: fold.seq + 1, v: 1, at: 'now' } as StoredEvent;
        const next = modelAfter(model, body);
        if (next === undefined) {
          expect(() => fold.apply(event)).toThrow();
          expect(() => foldBatch(live, (batch) => batch.apply(event))).toThrow();
          continue;
        }
        fold.apply(event);
        earlier.push([live, stateToJson(live)]);
        live = foldBatch(live, (batch) => batch.apply(event));
        model = next;
        if (n % 3 === 0) expectModel(fold.state, model);
        expect(stateToJson(live)).toEqual(stateToJson(fold.state));
      }
      expectModel(fold.state, model);
      // Edits write into the history the states share: each earlier state is as it was.
      for (const [state, json] of earlier) expect(stateToJson(state)).toEqual(json);
    },
  );

  it('a pop at the end of a million messages costs what it cuts, not the history', () => {
    const messages = Array.from(
      { length: 1_000_000 },
      (_, i): Message => ({
        role: 'user',
        content: `m${i}`,
      }),
    );
    const events: StoredEvent[] = [
      {
        seq: 1,
        v: 1,
        at: 'now',
        type: 'checkpoint.created',
        data: { id: 0, addUserMessage: false },
      },
      { seq: 2, v: 1, at: 'now', type: 'messages.appended', data: { messages } },
      { seq: 3, v: 1, at: 'now', type: 'usage.recorded', data: { tokenCount: 5 } },
    ];
    let state = foldEvents(events);
    const started = performance.now();
    for (let i = 0; i < 1000; i++) {
      const body: Body =
        i % 2 === 0
          ? {
              type: 'messages.replaced',
              data: { from: 999_999, messages: [{ role: 'assistant', content: `r${i}` }] },
            }
          : {
              type: 'message.replaced',
              data: { index: 999_999, message: { role: 'assistant', content: `s${i}` } },
            };
      state = foldBatch(state, (batch) =>
        batch.apply({ ...body, seq: batch.seq + 1, v: 1, at: 'now' } as StoredEvent),
      );
    }
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(500);
    expect(state.tokenCount).toBe(5);
    expect(state.pendingTextLength).toBe(4);
    expect(state.checkpoints).toHaveLength(1);
  });
});
