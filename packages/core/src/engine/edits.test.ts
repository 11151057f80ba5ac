import { describe, expect, it } from 'vitest';
import { HistoryMismatchError, ValidationError } from '../errors/index.js';
import type { Message } from '../events/message.js';
import { foldEvents } from '../projection/fold.js';
import { stateToJson } from '../projection/state.js';
import { openMemoryStore } from '../store/memory-store.js';
import { createContext } from './create-context.js';
import { createHeldStore } from './held-store.test-helper.js';

const user = (content: string): Message => ({ role: 'user', content });
const assistant = (content: string): Message => ({ role: 'assistant', content });

describe('replaceMessages and replaceMessage', () => {
  it('pop, regenerate and update a streamed reply, one event each, replay = live', async () => {
    const store = await openMemoryStore();
    const engine = await createContext(store);
    await engine.appendMessages([user('hi'), assistant('partial')]);
    await engine.replaceMessage(1, assistant('partial reply, done'));
    await engine.replaceMessages(1, [assistant('regenerated')], {
      expectedSuffix: [{ content: 'partial reply, done', role: 'assistant' }],
    });
    await engine.replaceMessages(1, []);
    expect(engine.state.messages).toEqual([user('hi')]);
    expect(store.events.map((event) => [event.type, event.data])).toEqual([
      ['messages.appended', { messages: [user('hi'), assistant('partial')] }],
      ['message.replaced', { index: 1, message: assistant('partial reply, done') }],
      ['messages.replaced', { from: 1, messages: [assistant('regenerated')] }],
      ['messages.replaced', { from: 1, messages: [] }],
    ]);
    expect(stateToJson(foldEvents(store.events))).toEqual(stateToJson(engine.state));
  });

  it('refuses a guarded edit whose history moved, saying where, and changes nothing', async () => {
    const engine = await createContext(await openMemoryStore());
    await engine.appendMessages([user('a'), assistant('b'), user('c')]);
    const seq = engine.state.seq;
    const longer = await engine
      .replaceMessages(1, [], { expectedSuffix: [assistant('b')] })
      .catch((error: unknown) => error);
    expect(longer).toBeInstanceOf(HistoryMismatchError);
    expect(longer).toMatchObject({
      code: 'HISTORY_MISMATCH',
      from: 1,
      expectedLength: 1,
      actualLength: 2,
      firstDifference: undefined,
    });
    expect((longer as Error).message).toContain('expected 1 message(s), found 2');
    const different = await engine
      .replaceMessages(1, [], { expectedSuffix: [assistant('b'), user('C')] })
      .catch((error: unknown) => error);
    expect(different).toMatchObject({ firstDifference: 2, expectedLength: 2, actualLength: 2 });
    expect((different as Error).message).toContain('message 2 differs');
    expect(engine.state.seq).toBe(seq);
  });

  it('checks the index and the guard against what the commands before it in the batch left', async () => {
    const held = await createHeldStore();
    const engine = await createContext(held.store);
    const first = engine.appendMessages(user('a'));
    const write0 = await held.next();
    // One batch: the append makes index 1 exist and the guard true; the pop then makes index 1 gone.
    const calls = [
      engine.appendMessages(user('b')),
      engine.replaceMessage(1, user('B')),
      engine.replaceMessages(1, [], { expectedSuffix: [user('B')] }),
      engine.replaceMessage(1, user('x')),
      engine.replaceMessages(2, []),
      engine.setMetadata('after', true),
    ].map((call) =>
      call.then(
        () => 'ok',
        (error: unknown) => error,
      ),
    );
    write0.release();
    await first;
    const write1 = await held.next();
    expect(write1.events.map((event) => event.type)).toEqual([
      'messages.appended',
      'message.replaced',
      'messages.replaced',
      'metadata.set',
    ]);
    write1.release();
    const results = await Promise.all(calls);
    expect(results.slice(0, 3)).toEqual(['ok', 'ok', 'ok']);
    expect(results[3]).toBeInstanceOf(ValidationError);
    expect(results[3]).toMatchObject({ path: 'index' });
    expect(results[4]).toMatchObject({ path: 'from', code: 'VALIDATION' });
    expect(results[5]).toBe('ok');
    expect(engine.state.messages).toEqual([user('a')]);
  });

  it('validates the data and the guard at call time, naming the field', async () => {
    const engine = await createContext(await openMemoryStore());
    await engine.appendMessages(user('a'));
    const cases: [Promise<void>, string][] = [
      [engine.replaceMessages(-1, []), 'from'],
      [engine.replaceMessages(0.5, []), 'from'],
      [engine.replaceMessages(0, [{ role: 'robot' } as unknown as Message]), 'messages[0].role'],
      [
        engine.replaceMessages(0, [], { expectedSuffix: [{ role: 'user' } as unknown as Message] }),
        'expectedSuffix[0].content',
      ],
      [engine.replaceMessage(-1, user('x')), 'index'],
      [engine.replaceMessage(0, null as unknown as Message), 'message'],
    ];
    for (const [call, path] of cases) {
      const error = await call.catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).path).toBe(path);
    }
    expect(engine.state.seq).toBe(1);
  });

  it('drops the marks after the edit point and takes the counts from the last that stays', async () => {
    const engine = await createContext(await openMemoryStore());
    await engine.appendMessages(user('aaaa'));
    const kept = await engine.checkpoint();
    await engine.recordUsage(100);
    await engine.appendMessages(assistant('bbbbbbbb'));
    await engine.checkpoint();
    await engine.recordUsage(200);
    await engine.appendMessages(user('cc'));
    // From index 1: the second mark (at 2 messages) goes, the first (at 1) stays.
    await engine.replaceMessages(1, [assistant('dddddd')]);
    expect(engine.state.checkpoints.map((mark) => mark.id)).toEqual([kept]);
    expect(engine.state.nextCheckpointId).toBe(2);
    // As revertTo(kept) would leave them (token count 0, 4 pending), plus the new message.
    expect(engine.state.tokenCount).toBe(0);
    expect(engine.state.pendingTextLength).toBe(4 + 6);
  });

  it('keeps the token count when no mark is dropped, moving a cut usage record to the edit point', async () => {
    const engine = await createContext(await openMemoryStore());
    await engine.appendMessages([user('aaaa'), assistant('bbbb')]);
    await engine.recordUsage(100);
    await engine.appendMessages(user('cc'));
    // The cut text (2) is pending: the usage record stays.
    await engine.replaceMessages(2, [user('eee')]);
    expect([engine.state.tokenCount, engine.state.pendingTextLength]).toEqual([100, 3]);
    // The cut reaches before the usage record: nothing before index 1 is pending, the new text is.
    await engine.replaceMessages(1, [assistant('ffffff')]);
    expect([engine.state.tokenCount, engine.state.pendingTextLength]).toEqual([100, 6]);
    // One message replaced: pending when it is after the usage record (as the counts tell).
    await engine.replaceMessage(1, assistant('g'));
    expect(engine.state.pendingTextLength).toBe(1);
    await engine.recordUsage(150);
    await engine.appendMessages(user('hh'));
    await engine.replaceMessage(0, user('counted already'));
    expect([engine.state.tokenCount, engine.state.pendingTextLength]).toEqual([150, 2]);
  });
});
