import { produce, setAutoFreeze } from 'immer';
import { firstValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  ConcurrencyError,
  ContextBrokenError,
  ContextClosedError,
  QueueFullError,
  StoreBrokenError,
  ValidationError,
} from '../errors/index.js';
import type { Message } from '../events/message.js';
import type { StoredEvent } from '../events/schemas.js';
import { isValidatedBatch } from '../events/validated.js';
import { foldEvents } from '../projection/fold.js';
import { type ContextState, fieldsOf, snapshotStateOf, stateToJson } from '../projection/state.js';
import type { EventStore } from '../store/event-store.js';
import { openMemoryStore } from '../store/memory-store.js';
import { createContext } from './create-context.js';
import { createHeldStore } from './held-store.test-helper.js';

const user = (content: string): Message => ({ role: 'user', content });
const contents = (state: ContextState) => state.messages.map((message) => message.content);

describe('createContext', () => {
  it('replays what the store holds', async () => {
    const store = await openMemoryStore();
    const first = await createContext(store);
    await first.setSystemPrompt('p');
    await first.appendMessages([user('a'), user('b')]);
    await first.close();

    const reopened = await createContext(await openMemoryStore({ events: store.events }));
    expect(reopened.state.systemPrompt).toBe('p');
    expect(contents(reopened.state)).toEqual(['a', 'b']);
    expect(reopened.state.seq).toBe(2);
  });

  it('stamps events with seq from 1 and the clock', async () => {
    const store = await openMemoryStore();
    const engine = await createContext(store, { clock: () => new Date(Date.UTC(2026, 0, 2)) });
    await engine.recordUsage(3);
    await engine.setMetadata('title', 'x');
    expect(store.events).toEqual([
      {
        seq: 1,
        type: 'usage.recorded',
        v: 1,
        at: '2026-01-02T00:00:00.000Z',
        data: { tokenCount: 3 },
      },
      {
        seq: 2,
        type: 'metadata.set',
        v: 1,
        at: '2026-01-02T00:00:00.000Z',
        data: { key: 'title', value: 'x' },
      },
    ]);
  });
});

describe('validated batches', () => {
  it('hands stores frozen batches marked as validated; no copy of one is marked', async () => {
    const inner = await openMemoryStore();
    const seen: Array<readonly StoredEvent[]> = [];
    const spy: EventStore = {
      load: () => inner.load(),
      append(events, options) {
        seen.push(events);
        return inner.append(events, options);
      },
      close: () => inner.close(),
    };
    const engine = await createContext(spy);
    await engine.appendMessages({ role: 'assistant', content: [{ type: 'text', text: 'a' }] });
    await engine.checkpoint();
    const [batch] = seen;
    if (batch === undefined) throw new Error('no append');
    expect(isValidatedBatch(batch)).toBe(true);
    expect(Object.isFrozen(batch)).toBe(true);
    const [event] = batch;
    expect(Object.isFrozen(event)).toBe(true);
    if (event?.type !== 'messages.appended') throw new Error(`unexpected ${event?.type}`);
    expect(Object.isFrozen(event.data.messages[0]?.content)).toBe(true);
    expect(() => (batch as StoredEvent[]).push(event)).toThrow(TypeError);
    expect(seen.every(isValidatedBatch)).toBe(true);
    for (const copy of [batch.slice(), [...batch], structuredClone(batch), [event]]) {
      expect(isValidatedBatch(copy)).toBe(false);
    }
    await engine.close();
  });

  it('a store still validates a batch that is not marked', async () => {
    const store = await openMemoryStore();
    const engine = await createContext(store);
    await engine.recordUsage(1);
    const [committed] = store.events;
    const bad = { ...committed, seq: 2, data: { tokenCount: -1 } } as StoredEvent;
    await expect(store.append([bad], { expectedSeq: 1 })).rejects.toMatchObject({
      code: 'VALIDATION',
    });
    expect(await store.lastSeq()).toBe(1);
    await engine.close();
  });
});

describe('state moves only after the write', () => {
  it('keeps the state until the append resolves, and emits before resolving the caller', async () => {
    const held = await createHeldStore();
    const engine = await createContext(held.store);
    const order: string[] = [];
    engine.state$.subscribe((state) => order.push(`state:${state.seq}`));
    const appended = engine.appendMessages(user('a')).then(() => order.push('resolved'));
    const write = await held.next();
    expect(engine.state.seq).toBe(0);
    expect(engine.state.messages).toEqual([]);
    write.release();
    await appended;
    expect(order).toEqual(['state:0', 'state:1', 'resolved']);
    expect(contents(engine.state)).toEqual(['a']);
  });

  it('rejects exactly the failed batch, leaves state as it was, and keeps serving', async () => {
    const held = await createHeldStore();
    const engine = await createContext(held.store);
    const first = engine.appendMessages(user('a'));
    (await held.next()).release();
    await first;

    const failing = engine.appendMessages(user('b'));
    const failed = expect(failing).rejects.toThrow('EIO');
    const write1 = await held.next();
    const checkpointed = engine.checkpoint();
    const later = engine.appendMessages(user('c'));
    write1.fail(new Error('EIO'));
    await failed;
    expect(engine.state.seq).toBe(1);
    const write2 = await held.next();
    expect(write2.events.map((event) => event.type)).toEqual([
      'checkpoint.created',
      'messages.appended',
    ]);
    expect(write2.expectedSeq).toBe(1);
    write2.release();
    expect(await checkpointed).toBe(0);
    await later;
    expect(contents(engine.state)).toEqual(['a', 'c']);
    expect(engine.state.nextCheckpointId).toBe(1);
    expect(stateToJson(foldEvents(held.inner.events))).toEqual(stateToJson(engine.state));
  });
});

describe('batches', () => {
  it('writes whatever queued during the previous write as one batch, in call order', async () => {
    const held = await createHeldStore();
    const engine = await createContext(held.store);
    const first = engine.appendMessages(user('0'));
    const write1 = await held.next();
    const rest = [1, 2, 3, 4].map((i) => engine.appendMessages(user(String(i))));
    write1.release();
    const write2 = await held.next();
    expect(write2.events.map((event) => event.seq)).toEqual([2, 3, 4, 5]);
    expect(write2.expectedSeq).toBe(1);
    write2.release();
    await Promise.all([first, ...rest]);
    expect(contents(engine.state)).toEqual(['0', '1', '2', '3', '4']);
    expect(engine.stats()).toMatchObject({ batchesWritten: 2, eventsWritten: 5, lastBatchSize: 4 });
  });

  it('gives concurrent checkpoints consecutive ids at batch formation', async () => {
    const engine = await createContext(await openMemoryStore());
    const ids = await Promise.all([engine.checkpoint(), engine.checkpoint(), engine.checkpoint()]);
    expect(ids).toEqual([0, 1, 2]);
  });

  it('rejects an invalid command alone and writes the rest of its batch', async () => {
    const held = await createHeldStore();
    const engine = await createContext(held.store);
    const first = engine.checkpoint();
    const write1 = await held.next();
    const batch = [
      engine.appendMessages(user('x')),
      engine.revertTo(7),
      engine.revertTo(0),
      engine.revertTo(0),
    ];
    write1.release();
    await first;
    const write2 = await held.next();
    expect(write2.events.map((event) => event.type)).toEqual([
      'messages.appended',
      'context.reverted',
    ]);
    write2.release();
    const results = await Promise.allSettled(batch);
    expect(results.map((result) => result.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
    ]);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({
      code: 'CHECKPOINT_NOT_FOUND',
    });
    expect((results[3] as PromiseRejectedResult).reason).toMatchObject({
      code: 'CHECKPOINT_NOT_FOUND',
    });
  });

  it('resolves an empty append without writing', async () => {
    const store = await openMemoryStore();
    const engine = await createContext(store);
    await engine.appendMessages([]);
    expect(store.events).toEqual([]);
  });
});

describe('validation', () => {
  it('names the field of an invalid message and writes nothing', async () => {
    const store = await openMemoryStore();
    const engine = await createContext(store);
    const bad = { role: 'user', content: [{ type: 'text', text: 5 }] } as unknown as Message;
    const error = await engine.appendMessages([user('ok'), bad]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).path).toBe('messages[1].content[0].text');
    await expect(engine.recordUsage(-1)).rejects.toMatchObject({
      code: 'VALIDATION',
      path: 'tokenCount',
    });
    await expect(engine.recordUsage(1.5)).rejects.toThrow(ValidationError);
    await expect(engine.setMetadata('', 1)).rejects.toMatchObject({ path: 'key' });
    await expect(engine.revertTo(-1)).rejects.toThrow(ValidationError);
    expect(store.events).toEqual([]);
    expect(engine.state.seq).toBe(0);
  });

  it('refuses data JSON could not give back as it is, naming the field; the caller’s objects stay unfrozen', async () => {
    const store = await openMemoryStore();
    const engine = await createContext(store);
    const extra = { tags: ['a'] };
    const message = { role: 'user', content: 'hi', extra, sentAt: new Date(0) };
    await expect(engine.appendMessages(message as unknown as Message)).rejects.toMatchObject({
      code: 'VALIDATION',
      path: 'messages[0].sentAt',
    });
    const call = { type: 'function', id: 'c1', function: { name: 'Shell', arguments: null } };
    const withExtras = { ...call, extras: { retry: Number.NaN } };
    await expect(
      engine.appendMessages({
        role: 'assistant',
        content: '',
        tool_calls: [withExtras],
      } as Message),
    ).rejects.toMatchObject({ path: 'messages[0].tool_calls[0].extras.retry' });
    expect(store.events).toEqual([]);
    expect(engine.state.seq).toBe(0);
    expect(Object.isFrozen(extra) || Object.isFrozen(extra.tags)).toBe(false);
  });

  it('freezes a field the caller froze only shallowly, all the way down', async () => {
    const engine = await createContext(await openMemoryStore());
    const extra = Object.freeze({ tags: ['a'] });
    await engine.appendMessages({ role: 'user', content: 'hi', extra } as Message);
    expect(Object.isFrozen(extra.tags)).toBe(true);
    expect(() => extra.tags.push('b')).toThrow(TypeError);
  });

  it('does not share the caller’s objects with the state', async () => {
    const engine = await createContext(await openMemoryStore());
    const message = { role: 'user' as const, content: [{ type: 'text' as const, text: 'a' }] };
    await engine.appendMessages(message);
    message.content[0] = { type: 'text', text: 'changed' };
    expect(engine.state.messages[0]).toEqual({
      role: 'user',
      content: [{ type: 'text', text: 'a' }],
    });
    expect(Object.isFrozen(engine.state.messages[0])).toBe(true);
  });
});

describe('abort', () => {
  it('drops a command aborted before its batch forms, with the signal’s reason', async () => {
    const held = await createHeldStore();
    const engine = await createContext(held.store);
    const first = engine.appendMessages(user('a'));
    const write1 = await held.next();
    const controller = new AbortController();
    const aborted = engine.appendMessages(user('b'), { signal: controller.signal });
    const kept = engine.appendMessages(user('c'));
    controller.abort(new Error('user pressed Esc'));
    await expect(aborted).rejects.toThrow('user pressed Esc');
    write1.release();
    const write2 = await held.next();
    expect(write2.events).toHaveLength(1);
    write2.release();
    await Promise.all([first, kept]);
    expect(contents(engine.state)).toEqual(['a', 'c']);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const store = await openMemoryStore();
    const engine = await createContext(store);
    await expect(engine.clear({ signal: AbortSignal.abort('gone') })).rejects.toBe('gone');
    expect(store.events).toEqual([]);
  });

  it('settles with the real outcome once the batch is being written', async () => {
    const held = await createHeldStore();
    const engine = await createContext(held.store);
    const controller = new AbortController();
    const appended = engine.appendMessages(user('a'), { signal: controller.signal });
    const write = await held.next();
    controller.abort();
    write.release();
    await expect(appended).resolves.toBeUndefined();
    expect(contents(engine.state)).toEqual(['a']);
  });
});

describe('store failures', () => {
  it('turns StoreBrokenError into a broken engine that refuses every later command', async () => {
    const held = await createHeldStore();
    const engine = await createContext(held.store);
    const ok = engine.appendMessages(user('a'));
    (await held.next()).release();
    await ok;
    const breaking = engine.appendMessages(user('b'));
    const write = await held.next();
    const queued = engine.appendMessages(user('c'));
    write.fail(new StoreBrokenError('partial write could not be undone'));
    await expect(breaking).rejects.toThrow(StoreBrokenError);
    await expect(queued).rejects.toThrow(ContextBrokenError);
    await expect(engine.recordUsage(1)).rejects.toMatchObject({ code: 'CONTEXT_BROKEN' });
    await expect(engine.reload()).rejects.toThrow(ContextBrokenError);
    expect(contents(engine.state)).toEqual(['a']);
    expect(engine.stats().status).toBe('broken');
    await engine.close();
  });

  it('turns ConcurrencyError into a stale engine until reload', async () => {
    const store = await openMemoryStore();
    const engine = await createContext(store);
    await engine.appendMessages(user('mine'));
    // Another writer moves the log behind the engine's back.
    await store.append(
      [
        {
          seq: 2,
          type: 'messages.appended',
          v: 1,
          at: new Date().toISOString(),
          data: { messages: [user('theirs')] },
        },
      ],
      { expectedSeq: 1 },
    );
    await expect(engine.appendMessages(user('lost race'))).rejects.toThrow(ConcurrencyError);
    await expect(engine.recordUsage(5)).rejects.toThrow(ConcurrencyError);
    expect(engine.stats().status).toBe('stale');
    const reloaded = await engine.reload();
    expect(contents(reloaded)).toEqual(['mine', 'theirs']);
    await engine.appendMessages(user('after reload'));
    expect(contents(engine.state)).toEqual(['mine', 'theirs', 'after reload']);
    expect(stateToJson(foldEvents(store.events))).toEqual(stateToJson(engine.state));
  });
});

describe('close and limits', () => {
  it('drains the queue, completes the streams, closes the store, then refuses commands', async () => {
    const held = await createHeldStore();
    const engine = await createContext(held.store);
    const states = firstValueFrom(engine.state$.pipe(toArray()));
    const events = firstValueFrom(engine.events$.pipe(toArray()));
    const appended = engine.appendMessages(user('a'));
    const closed = engine.close();
    await expect(engine.appendMessages(user('late'))).rejects.toThrow(ContextClosedError);
    (await held.next()).release();
    await appended;
    await closed;
    await engine.close();
    expect(held.closeCount).toBe(1);
    expect((await states).map((state) => state.seq)).toEqual([0, 1]);
    expect((await events).map((event) => event.seq)).toEqual([1]);
    await expect(engine.checkpoint()).rejects.toThrow(ContextClosedError);
    await expect(engine.reload()).rejects.toThrow(ContextClosedError);
    expect(engine.stats().status).toBe('closed');
  });

  it('bounds the queue with QueueFullError', async () => {
    const held = await createHeldStore();
    const engine = await createContext(held.store, { maxPending: 2 });
    const first = engine.appendMessages(user('in flight'));
    const write = await held.next();
    const queued = [engine.appendMessages(user('1')), engine.appendMessages(user('2'))];
    await expect(engine.appendMessages(user('3'))).rejects.toThrow(QueueFullError);
    expect(engine.stats().queueDepth).toBe(2);
    expect(engine.stats().inFlight).toBe(1);
    write.release();
    (await held.next()).release();
    await Promise.all([first, ...queued]);
    expect(engine.state.seq).toBe(3);
  });

  it('keeps serving when a state$ subscriber throws', async () => {
    const engine = await createContext(await openMemoryStore());
    let calls = 0;
    engine.state$.subscribe(() => {
      calls++;
      if (calls === 2) throw new Error('subscriber bug');
    });
    const onError = (error: unknown) => error;
    process.on('uncaughtException', onError);
    try {
      await engine.appendMessages(user('a'));
      await engine.appendMessages(user('b'));
      await new Promise((resolve) => setTimeout(resolve, 10));
    } finally {
      process.off('uncaughtException', onError);
    }
    expect(engine.state.seq).toBe(2);
  });
});

describe('failures outside the store', () => {
  it('rejects the batch when the clock throws, leaving nothing pending, and keeps serving', async () => {
    let broken = true;
    const store = await openMemoryStore();
    const engine = await createContext(store, {
      clock: () => {
        if (broken) throw new Error('clock failed');
        return new Date(0);
      },
    });
    await expect(engine.appendMessages(user('a'))).rejects.toThrow('clock failed');
    broken = false;
    await engine.appendMessages(user('b'));
    expect(contents(engine.state)).toEqual(['b']);
    expect(store.events).toHaveLength(1);
  });

  it('refuses a clock that returns an invalid date, naming it', async () => {
    const engine = await createContext(await openMemoryStore(), {
      clock: () => new Date(Number.NaN),
    });
    await expect(engine.recordUsage(1)).rejects.toMatchObject({
      code: 'VALIDATION',
      path: 'clock',
    });
  });

  it('refuses a maxPending that is not a positive integer', async () => {
    for (const maxPending of [0, -1, Number.NaN, 1.5]) {
      await expect(createContext(await openMemoryStore(), { maxPending })).rejects.toMatchObject({
        code: 'VALIDATION',
        path: 'maxPending',
      });
    }
  });

  it('rejects an empty append with an aborted signal, as every other command', async () => {
    const engine = await createContext(await openMemoryStore());
    await expect(engine.appendMessages([], { signal: AbortSignal.abort('stop') })).rejects.toBe(
      'stop',
    );
  });

  it('emits on events$ what another writer committed once reload reads it', async () => {
    const store = await openMemoryStore();
    const engine = await createContext(store);
    const seen: number[] = [];
    engine.events$.subscribe((event) => seen.push(event.seq));
    await engine.appendMessages(user('mine'));
    await store.append(
      [
        {
          seq: 2,
          type: 'usage.recorded',
          v: 1,
          at: new Date().toISOString(),
          data: { tokenCount: 9 },
        },
      ],
      { expectedSeq: 1 },
    );
    await engine.reload();
    await engine.appendMessages(user('after'));
    expect(seen).toEqual([1, 2, 3]);
  });
});

describe('cost', () => {
  it('appends onto the history and the marks that the last state holds, without copying them', async () => {
    const engine = await createContext(await openMemoryStore());
    await engine.appendMessages([user('a'), user('b')]);
    await engine.checkpoint();
    const before = fieldsOf(engine.state);
    await engine.appendMessages(user('c'));
    await engine.checkpoint();
    const after = fieldsOf(engine.state);
    expect(after.messages.log).toBe(before.messages.log);
    expect(after.checkpoints.log).toBe(before.checkpoints.log);
    expect(before.messages.length).toBe(2);
    expect(contents(engine.state)).toEqual(['a', 'b', 'c']);
  });
});

describe('a snapshot of any state the engine reaches', () => {
  const at = '2026-01-01T00:00:00.000Z';
  const snapshotAt = (seq: number, state: unknown) =>
    ({ seq, type: 'state.snapshotted', v: 1, at, data: { state } }) as StoredEvent;

  it('stores and reopens a token count at 2^53 - 1 with pending text (the sum passes 2^53)', async () => {
    const engine = await createContext(await openMemoryStore());
    await engine.recordUsage(Number.MAX_SAFE_INTEGER);
    await engine.appendMessages(user('twelve chars'));
    await engine.checkpoint();
    const live = stateToJson(engine.state);
    expect(engine.state.tokenCountWithPending).toBeGreaterThan(Number.MAX_SAFE_INTEGER);

    // As snapshotSessionFile writes it (at the last seq), and as a fork does (at seq 1, then on).
    const snapshot = snapshotStateOf(engine.state);
    expect(snapshot).not.toHaveProperty('tokenCountWithPending');
    const reopened = await createContext(
      await openMemoryStore({ events: [snapshotAt(3, snapshot)] }),
    );
    expect(stateToJson(reopened.state)).toEqual(live);
    const forkStore = await openMemoryStore({ events: [snapshotAt(1, snapshot)] });
    const fork = await createContext(forkStore);
    await fork.appendMessages(user('more'));
    const forkReopened = await createContext(await openMemoryStore({ events: forkStore.events }));
    expect(stateToJson(forkReopened.state)).toEqual(stateToJson(fork.state));
    expect(fork.state.tokenCount).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('reads a snapshot that holds the derived fields too, however large', async () => {
    const engine = await createContext(await openMemoryStore());
    await engine.recordUsage(Number.MAX_SAFE_INTEGER);
    await engine.appendMessages(user('twelve chars'));
    const live = stateToJson(engine.state);
    const reopened = await createContext(await openMemoryStore({ events: [snapshotAt(2, live)] }));
    expect(stateToJson(reopened.state)).toEqual(live);
  });
});

describe('immer', () => {
  it.each([true, false])(
    'neither follows nor changes the global immer settings (auto-freeze %s)',
    async (autoFreeze) => {
      setAutoFreeze(autoFreeze);
      try {
        const engine = await createContext(await openMemoryStore());
        await Promise.all([engine.setMetadata('a', { x: 1 }), engine.appendMessages(user('a'))]);
        // The engine's own instance does not auto-freeze: its fields object stays as made, while
        // the global one would have frozen it.
        expect(Object.isFrozen(fieldsOf(engine.state))).toBe(false);
        expect(Object.isFrozen(engine.state.metadata)).toBe(true);
        const mine = produce({ list: [1] }, (draft) => {
          draft.list.push(2);
        });
        expect(Object.isFrozen(mine)).toBe(autoFreeze);
      } finally {
        setAutoFreeze(true);
      }
    },
  );

  it('gives back the metadata values a batch copied, frozen, not drafts', async () => {
    const store = await openMemoryStore();
    const engine = await createContext(store);
    await engine.setMetadata('a', { x: { y: [1, 2] } });
    await Promise.all([
      engine.setMetadata('b', { z: 3 }),
      engine.appendMessages(user('a')),
      engine.setMetadata('c', 4),
    ]);
    const { metadata } = engine.state;
    expect(metadata).toEqual({ a: { x: { y: [1, 2] } }, b: { z: 3 }, c: 4 });
    expect(Object.isFrozen(metadata)).toBe(true);
    expect(Object.isFrozen(metadata.a)).toBe(true);
    expect(Object.isFrozen((metadata.a as { x: { y: number[] } }).x.y)).toBe(true);
    expect(stateToJson(foldEvents(store.events))).toEqual(stateToJson(engine.state));
  });
});
