import { describe, expect, it } from 'vitest';
import { CheckpointNotFoundError } from '../errors/index.js';
import type { Message } from '../events/message.js';
import type { StoredEvent } from '../events/schemas.js';
import { createFold, foldEvents } from './fold.js';
import { initialState, messageCount, stateToJson } from './state.js';

const at = '2026-01-01T00:00:00.000Z';
type Body = Omit<StoredEvent, 'seq' | 'at' | 'v'>;

/** Numbers events 1..n, as a store would. */
function log(...bodies: Body[]): StoredEvent[] {
  return bodies.map((body, index) => ({ ...body, seq: index + 1, v: 1, at }) as StoredEvent);
}

const user = (content: string): Message => ({ role: 'user', content });
const append = (...messages: Message[]): Body => ({
  type: 'messages.appended',
  data: { messages },
});
const usage = (tokenCount: number): Body => ({ type: 'usage.recorded', data: { tokenCount } });
const checkpoint = (id: number, addUserMessage = false): Body => ({
  type: 'checkpoint.created',
  data: { id, addUserMessage },
});
const revert = (checkpointId: number): Body => ({
  type: 'context.reverted',
  data: { checkpointId },
});

describe('projection rules', () => {
  it('starts empty', () => {
    expect(stateToJson(initialState())).toEqual({
      systemPrompt: null,
      messages: [],
      tokenCount: 0,
      pendingTextLength: 0,
      pendingTokenEstimate: 0,
      tokenCountWithPending: 0,
      nextCheckpointId: 0,
      checkpoints: [],
      metadata: {},
      seq: 0,
    });
  });

  it('estimates pending tokens from code points of text after the last usage (emoji, CJK)', () => {
    // 8 code points of CJK + 4 emoji (8 UTF-16 units) + 3 ASCII = 15 code points.
    const state = foldEvents(log(append(user('你好世界再见朋友')), append(user('😀😀😀😀abc'))));
    expect(state.pendingTextLength).toBe(15);
    expect(state.pendingTokenEstimate).toBe(3);
    expect(state.tokenCountWithPending).toBe(3);
  });

  it('lets usage set the token count and zero the pending length; the last usage wins', () => {
    const state = foldEvents(
      log(
        append(user('aaaaaaaa')),
        usage(100),
        append(user('bbbb')),
        usage(150),
        append(user('cccccccc')),
      ),
    );
    expect(state.tokenCount).toBe(150);
    expect(state.pendingTextLength).toBe(8);
    expect(state.tokenCountWithPending).toBe(152);
  });

  it('makes the last system prompt win and keeps it across revert', () => {
    const state = foldEvents(
      log(
        { type: 'system_prompt.set', data: { prompt: 'first' } },
        checkpoint(0),
        append(user('x')),
        { type: 'system_prompt.set', data: { prompt: 'second' } },
        revert(0),
      ),
    );
    expect(state.systemPrompt).toBe('second');
    expect(state.messages).toEqual([]);
  });

  it('adds a CHECKPOINT user message when asked', () => {
    const state = foldEvents(log(checkpoint(0, true), checkpoint(1)));
    expect(state.messages).toEqual([{ role: 'user', content: '<system>CHECKPOINT 0</system>' }]);
    expect(state.nextCheckpointId).toBe(2);
    expect(state.checkpoints).toEqual([
      { id: 0, messageCount: 0, tokenCount: 0, pendingTextLength: 0 },
      { id: 1, messageCount: 1, tokenCount: 0, pendingTextLength: 29 },
    ]);
    expect(state.pendingTextLength).toBe('<system>CHECKPOINT 0</system>'.length);
  });

  it('reverts to checkpoint 0: everything after it is gone, prompt and metadata kept', () => {
    const state = foldEvents(
      log(
        { type: 'system_prompt.set', data: { prompt: 'p' } },
        { type: 'metadata.set', data: { key: 'title', value: 'T' } },
        append(user('before')),
        usage(10),
        checkpoint(0, true),
        append(user('after')),
        usage(50),
        checkpoint(1),
        revert(0),
      ),
    );
    expect(state.messages).toEqual([user('before')]);
    expect(state.tokenCount).toBe(10);
    expect(state.pendingTextLength).toBe(0);
    expect(state.checkpoints).toEqual([]);
    expect(state.nextCheckpointId).toBe(0);
    expect(state.systemPrompt).toBe('p');
    expect(state.metadata).toEqual({ title: 'T' });
    expect(state.seq).toBe(9);
  });

  it('reverts to checkpoint n: restores the count, token count and pending of that moment', () => {
    const state = foldEvents(
      log(
        checkpoint(0),
        append(user('aaaa')),
        usage(7),
        append(user('bbbbbbbb')),
        checkpoint(1, true),
        append(user('cc')),
        usage(99),
        checkpoint(2),
        append(user('dd')),
        revert(1),
      ),
    );
    expect(state.messages).toEqual([user('aaaa'), user('bbbbbbbb')]);
    expect(state.tokenCount).toBe(7);
    expect(state.pendingTextLength).toBe(8);
    expect(state.pendingTokenEstimate).toBe(2);
    expect(state.checkpoints.map((mark) => mark.id)).toEqual([0]);
    expect(state.nextCheckpointId).toBe(1);
  });

  it('refuses to revert to a checkpoint that is not live', () => {
    expect(() => foldEvents(log(checkpoint(0), revert(0), revert(0)))).toThrow(
      CheckpointNotFoundError,
    );
    expect(() => foldEvents(log(revert(3)))).toThrow(CheckpointNotFoundError);
  });

  it('refuses a mark whose id is not below the next id, as kimi-cli does (ids out of order)', () => {
    // A hand-edited kimi-cli file: checkpoint 5, then 2, so the next id is 3.
    const events = log(checkpoint(5), append(user('a')), checkpoint(2), append(user('b')));
    expect(foldEvents(events).nextCheckpointId).toBe(3);
    expect(() =>
      foldEvents([...events, { ...revert(5), seq: 5, v: 1, at } as StoredEvent]),
    ).toThrow(CheckpointNotFoundError);
    const reverted = foldEvents([...events, { ...revert(2), seq: 5, v: 1, at } as StoredEvent]);
    expect(reverted.messages).toEqual([user('a')]);
  });

  it('reverts to the first mark of a repeated id, as kimi-cli stops at the first record', () => {
    const state = foldEvents(
      log(checkpoint(0), append(user('a')), checkpoint(0), append(user('b')), revert(0)),
    );
    expect(state.messages).toEqual([]);
    expect(state.checkpoints).toEqual([]);
  });

  it('clears everything, the system prompt and metadata included, except seq; ids restart', () => {
    const state = foldEvents(
      log(
        { type: 'system_prompt.set', data: { prompt: 'p' } },
        { type: 'metadata.set', data: { key: 'k', value: 1 } },
        checkpoint(0),
        checkpoint(1),
        append(user('x')),
        usage(5),
        { type: 'context.cleared', data: {} },
        checkpoint(0),
      ),
    );
    expect(state.systemPrompt).toBeNull();
    expect(state.metadata).toEqual({});
    expect(state.messages).toEqual([]);
    expect(state.tokenCount).toBe(0);
    expect(state.checkpoints.map((mark) => mark.id)).toEqual([0]);
    expect(state.nextCheckpointId).toBe(1);
    expect(state.seq).toBe(8);
  });

  it('compacts: history replaced, checkpoints dropped, token count given or estimated', () => {
    const before = log(
      { type: 'system_prompt.set', data: { prompt: 'p' } },
      checkpoint(0),
      append(user('a'.repeat(40))),
      usage(500),
      append(user('b')),
    );
    const given = foldEvents([
      ...before,
      {
        type: 'context.compacted',
        data: { messages: [user('summary')], tokenCount: 12 },
        seq: 6,
        v: 1,
        at,
      },
    ]);
    expect(given.messages).toEqual([user('summary')]);
    expect(given.tokenCount).toBe(12);
    expect(given.pendingTextLength).toBe(0);
    expect(given.checkpoints).toEqual([]);
    expect(given.nextCheckpointId).toBe(0);
    expect(given.systemPrompt).toBe('p');

    const estimated = foldEvents([
      ...before,
      { type: 'context.compacted', data: { messages: [user('x'.repeat(41))] }, seq: 6, v: 1, at },
    ]);
    expect(estimated.tokenCount).toBe(10);
    expect(estimated.tokenCountWithPending).toBe(10);
  });

  it('sets metadata keys, the last value winning', () => {
    const state = foldEvents(
      log(
        { type: 'metadata.set', data: { key: 'model', value: 'a' } },
        { type: 'metadata.set', data: { key: 'cwd', value: '/tmp' } },
        { type: 'metadata.set', data: { key: 'model', value: { name: 'b' } } },
      ),
    );
    expect(state.metadata).toEqual({ model: { name: 'b' }, cwd: '/tmp' });
  });

  it('replaces the state with a snapshot, deriving the estimates and taking its seq', () => {
    const source = foldEvents(
      log(append(user('abcdefgh')), checkpoint(0), {
        type: 'metadata.set',
        data: { key: 'k', value: true },
      }),
    );
    const snapshot = {
      type: 'state.snapshotted',
      v: 1,
      at,
      seq: 40,
      data: { state: stateToJson(source) },
    } as StoredEvent;
    const state = foldEvents([snapshot]);
    expect(stateToJson(state)).toEqual({ ...(stateToJson(source) as object), seq: 40 });
  });

  it('keeps a part of unknown type verbatim and counts it as no text', () => {
    const message: Message = {
      role: 'assistant',
      content: [
        { type: 'sparkle', text: 'zzzz' },
        { type: 'text', text: 'abcd' },
      ],
    };
    const state = foldEvents(log(append(message)));
    expect(state.messages).toEqual([message]);
    expect(state.pendingTextLength).toBe(4);
  });
});

describe('states', () => {
  it('are frozen, messages included', () => {
    const state = foldEvents(
      log(append(user('a')), { type: 'metadata.set', data: { key: 'k', value: [1] } }),
    );
    expect(Object.isFrozen(state)).toBe(true);
    expect(Object.isFrozen(state.messages)).toBe(true);
    expect(Object.isFrozen(state.messages[0])).toBe(true);
    expect(Object.isFrozen(state.metadata)).toBe(true);
    expect(Object.isFrozen(state.checkpoints)).toBe(true);
  });

  it('are unaffected by later events folded from them', () => {
    const events = log(
      append(user('a')),
      checkpoint(0),
      append(user('b')),
      revert(0),
      append(user('c')),
    );
    const states = [initialState()];
    for (const event of events) states.push(foldEvents([event], states.at(-1) ?? initialState()));
    expect(states.map((state) => state.messages.map((m) => m.content))).toEqual([
      [],
      ['a'],
      ['a'],
      ['a', 'b'],
      ['a'],
      ['a', 'c'],
    ]);
    // An older state still extends correctly after newer ones grew the shared history.
    const branched = foldEvents(
      [{ ...events[0], seq: 3 } as StoredEvent],
      states[2] ?? initialState(),
    );
    expect(branched.messages.map((m) => m.content)).toEqual(['a', 'a']);
    expect(states[3]?.messages.map((m) => m.content)).toEqual(['a', 'b']);
  });

  it('count messages without materializing them', () => {
    expect(messageCount(foldEvents(log(append(user('a'), user('b')))))).toBe(2);
  });

  it('fold the same way one event at a time', () => {
    const events = log(
      append(user('a')),
      usage(3),
      checkpoint(0, true),
      append(user('b')),
      revert(0),
    );
    const fold = createFold();
    for (const event of events) fold.apply(event);
    expect(stateToJson(fold.state)).toEqual(stateToJson(foldEvents(events)));
    expect(fold.seq).toBe(5);
  });
});
