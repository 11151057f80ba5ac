import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  ConcurrencyError,
  hasCode,
  OperationConflictError,
  ValidationError,
} from '../errors/index.js';
import type { Message } from '../events/message.js';
import type { StoredEvent } from '../events/schemas.js';
import { foldEvents } from '../projection/fold.js';
import { MAX_OPERATION_IDS } from '../projection/operations.js';
import { snapshotStateOf, stateToJson } from '../projection/state.js';
import type { AppendOptions, EventStore } from '../store/event-store.js';
import { type MemoryEventStore, openMemoryStore } from '../store/memory-store.js';
import { createContext } from './create-context.js';
import { createHeldStore } from './held-store.test-helper.js';
import type { ContextEngine } from './types.js';

const user = (content: string): Message => ({ role: 'user', content });

/** A memory store whose next append (when armed) commits, then throws: an in-doubt write. */
async function inDoubtStore(inner?: MemoryEventStore) {
  const store = inner ?? (await openMemoryStore());
  let armed = false;
  const wrapper: EventStore = {
    load: () => store.load(),
    close: () => store.close(),
    async append(events: readonly StoredEvent[], options: AppendOptions) {
      await store.append(events, options);
      if (armed) {
        armed = false;
        throw new Error('connection lost after the commit');
      }
    },
  };
  return {
    store: wrapper,
    inner: store,
    arm: () => {
      armed = true;
    },
  };
}

describe('operation ids', () => {
  it('stores the id after data, and only on the events whose command had one', async () => {
    const store = await openMemoryStore();
    const engine = await createContext(store, { clock: () => new Date(0) });
    await engine.appendMessages(user('a'));
    await engine.appendMessages(user('b'), { operationId: 'op-1' });
    expect(store.events.map((event) => JSON.stringify(event))).toEqual([
      '{"seq":1,"type":"messages.appended","v":1,"at":"1970-01-01T00:00:00.000Z","data":{"messages":[{"role":"user","content":"a"}]}}',
      '{"seq":2,"type":"messages.appended","v":1,"at":"1970-01-01T00:00:00.000Z","data":{"messages":[{"role":"user","content":"b"}]},"op":"op-1"}',
    ]);
  });

  it('answers a repeat with the first result and writes nothing; another command with the id is a conflict', async () => {
    const store = await openMemoryStore();
    const engine = await createContext(store);
    const id = await engine.checkpoint({ operationId: 'cp', addUserMessage: true });
    await engine.appendMessages(user('x'), { operationId: 'add' });
    expect(await engine.checkpoint({ operationId: 'cp', addUserMessage: true })).toBe(id);
    await engine.appendMessages(user('x'), { operationId: 'add' });
    const seq = engine.state.seq;
    const before = stateToJson(engine.state);

    const conflict = await engine
      .appendMessages(user('y'), { operationId: 'add' })
      .catch((error: unknown) => error);
    expect(conflict).toBeInstanceOf(OperationConflictError);
    expect(hasCode(conflict, 'OPERATION_CONFLICT')).toBe(true);
    await expect(engine.checkpoint({ operationId: 'add' })).rejects.toThrow(OperationConflictError);
    await expect(engine.checkpoint({ operationId: 'cp' })).rejects.toThrow(/already applied/);
    expect(engine.state.seq).toBe(seq);
    expect(stateToJson(engine.state)).toEqual(before);
    expect(store.events).toHaveLength(seq);
    expect(engine.state.operations.map((record) => [record.id, record.result])).toEqual([
      ['cp', id],
      ['add', undefined],
    ]);
  });

  it('refuses an id that is empty, too long, unstorable or not a string, before queueing', async () => {
    const engine = await createContext(await openMemoryStore());
    for (const operationId of [
      '',
      'x'.repeat(257),
      'a\u0000',
      '\ud800x',
      42 as unknown as string,
    ]) {
      const error = await engine.clear({ operationId }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).path).toBe('operationId');
    }
    await engine.clear({ operationId: 'x'.repeat(256) });
    expect(engine.state.seq).toBe(1);
  });

  it('lets a repeat inside one batch see the first, and settle as the batch does', async () => {
    const held = await createHeldStore();
    const engine = await createContext(held.store);
    const blocker = engine.appendMessages(user('first'));
    const write0 = await held.next();
    // Queued behind the write in flight: the next batch.
    const first = engine.checkpoint({ operationId: 'a' });
    const again = engine.checkpoint({ operationId: 'a' });
    const other = engine.setMetadata('k', 1, { operationId: 'a' });
    const settled = Promise.allSettled([first, again, other]);
    write0.release();
    await blocker;
    const write1 = await held.next();
    expect(write1.events.map((event) => event.type)).toEqual(['checkpoint.created']);
    write1.fail(new Error('EIO'));
    const [a, b, c] = await settled;
    expect(a).toMatchObject({ status: 'rejected', reason: { message: 'EIO' } });
    expect(b).toMatchObject({ status: 'rejected', reason: { message: 'EIO' } });
    expect(c).toMatchObject({ status: 'rejected', reason: { code: 'OPERATION_CONFLICT' } });

    const retried = engine.checkpoint({ operationId: 'a' });
    const retriedAgain = engine.checkpoint({ operationId: 'a' });
    const write2 = await held.next();
    expect(write2.events).toHaveLength(1);
    write2.release();
    expect(await retried).toBe(0);
    expect(await retriedAgain).toBe(0);
    expect(held.inner.events.map((event) => event.op)).toEqual([undefined, 'a']);
  });

  it('survives revert, compaction and snapshot; clear forgets', async () => {
    const store = await openMemoryStore();
    const engine = await createContext(store);
    const zero = await engine.checkpoint({ operationId: 'cp0' });
    await engine.appendMessages(user('a'), { operationId: 'a' });
    await engine.revertTo(zero, { operationId: 'revert' });
    await engine.compact([user('summary')], { operationId: 'compact' });
    expect(await engine.checkpoint({ operationId: 'cp0' })).toBe(zero);
    await engine.appendMessages(user('a'), { operationId: 'a' });
    await engine.revertTo(zero, { operationId: 'revert' });
    expect(store.events).toHaveLength(4);

    const snapshot = snapshotStateOf(engine.state);
    expect(snapshot.operations?.map((record) => record.id)).toEqual([
      'cp0',
      'a',
      'revert',
      'compact',
    ]);
    const reopened = await createContext(
      await openMemoryStore({
        events: [{ seq: 4, v: 1, at: 'now', type: 'state.snapshotted', data: { state: snapshot } }],
      }),
    );
    expect(stateToJson(reopened.state)).toEqual(stateToJson(engine.state));
    await reopened.appendMessages(user('a'), { operationId: 'a' });
    expect(reopened.state.seq).toBe(4);

    await engine.clear({ operationId: 'clear' });
    expect(engine.state.operations.map((record) => record.id)).toEqual(['clear']);
    await engine.appendMessages(user('b'), { operationId: 'a' });
    expect(engine.state.messages).toEqual([user('b')]);
    await engine.clear({ operationId: 'clear' });
    expect(engine.state.messages).toEqual([user('b')]);
  });

  it('reads a snapshot from before operation ids, and writes none into one without ids', async () => {
    const engine = await createContext(await openMemoryStore());
    await engine.appendMessages(user('a'));
    const snapshot = snapshotStateOf(engine.state);
    expect(snapshot).not.toHaveProperty('operations');
    const old = foldEvents([
      { seq: 1, v: 1, at: 'now', type: 'state.snapshotted', data: { state: snapshot } },
    ]);
    expect(old.operations).toEqual([]);
  });

  it(`remembers the last ${MAX_OPERATION_IDS} ids`, async () => {
    const store = await openMemoryStore();
    const engine = await createContext(store);
    const calls: Promise<void>[] = [];
    for (let n = 0; n <= MAX_OPERATION_IDS; n++) {
      calls.push(engine.setMetadata('n', n, { operationId: `op-${n}` }));
    }
    await Promise.all(calls);
    expect(engine.state.operations).toHaveLength(MAX_OPERATION_IDS);
    await engine.setMetadata('n', 1, { operationId: 'op-1' });
    expect(engine.state.metadata.n).toBe(MAX_OPERATION_IDS);
    await engine.setMetadata('n', 0, { operationId: 'op-0' });
    expect(engine.state.metadata.n).toBe(0);
    expect(stateToJson(foldEvents(store.events))).toEqual(stateToJson(engine.state));
  });

  it('makes a retry after an in-doubt write safe: it writes nothing and returns the first result', async () => {
    const doubt = await inDoubtStore();
    const engine = await createContext(doubt.store);
    await engine.appendMessages(user('a'));
    doubt.arm();
    await expect(engine.checkpoint({ operationId: 'turn-1' })).rejects.toThrow('connection lost');
    // The write did land: the engine finds out on its next write, and reloads.
    await expect(engine.checkpoint({ operationId: 'turn-1' })).rejects.toBeInstanceOf(
      ConcurrencyError,
    );
    await engine.reload();
    expect(await engine.checkpoint({ operationId: 'turn-1' })).toBe(0);
    expect(doubt.inner.events.map((event) => event.type)).toEqual([
      'messages.appended',
      'checkpoint.created',
    ]);
    // As a process that restarts after the failure would see it.
    const restarted = await createContext(await openMemoryStore({ events: doubt.inner.events }));
    expect(await restarted.checkpoint({ operationId: 'turn-1' })).toBe(0);
    expect(restarted.state.seq).toBe(2);
  });
});

type Step = {
  readonly command:
    | { readonly kind: 'append'; readonly text: string }
    | { readonly kind: 'checkpoint'; readonly addUserMessage: boolean }
    | { readonly kind: 'metadata'; readonly value: number }
    | { readonly kind: 'replace'; readonly from: number; readonly text: string }
    | { readonly kind: 'clear' };
  readonly operationId: string | undefined;
  /** The write commits, then reports a failure; the caller reloads and retries. */
  readonly inDoubt: boolean;
};

const arbStep: fc.Arbitrary<Step> = fc.record({
  command: fc.oneof(
    fc.record({ kind: fc.constant('append' as const), text: fc.constantFrom('x', 'y') }),
    fc.record({ kind: fc.constant('checkpoint' as const), addUserMessage: fc.boolean() }),
    fc.record({ kind: fc.constant('metadata' as const), value: fc.nat(1) }),
    fc.record({
      kind: fc.constant('replace' as const),
      from: fc.nat(3),
      text: fc.constantFrom('x', 'z'),
    }),
    fc.record({ kind: fc.constant('clear' as const) }),
  ),
  operationId: fc.option(fc.constantFrom('a', 'b', 'c'), { nil: undefined }),
  inDoubt: fc.boolean(),
});

/** Runs the step's command; a retry passes the same arguments (`from` as first computed). */
function run(engine: ContextEngine, step: Step, from: number): Promise<unknown> {
  const options = step.operationId === undefined ? {} : { operationId: step.operationId };
  const { command } = step;
  switch (command.kind) {
    case 'append':
      return engine.appendMessages(user(command.text), options);
    case 'checkpoint':
      return engine.checkpoint({ ...options, addUserMessage: command.addUserMessage });
    case 'metadata':
      return engine.setMetadata('k', command.value, options);
    case 'replace':
      return engine.replaceMessages(from, [user(command.text)], options);
    case 'clear':
      return engine.clear(options);
  }
}

describe('operation ids under in-doubt writes', () => {
  test.prop([fc.array(arbStep, { minLength: 1, maxLength: 25 })], { numRuns: 150 })(
    'a repeat writes nothing and answers as the first did; a conflict changes nothing; replay = live',
    async (steps) => {
      const doubt = await inDoubtStore();
      const engine = await createContext(doubt.store);
      // The model: for each remembered id, the command it was applied with and what it returned.
      let remembered = new Map<string, { readonly command: string; readonly result: unknown }>();
      for (const step of steps) {
        const from =
          step.command.kind === 'replace'
            ? Math.min(step.command.from, engine.state.messages.length)
            : 0;
        const commandKey = JSON.stringify({ ...step.command, from });
        const known = step.operationId === undefined ? undefined : remembered.get(step.operationId);
        const seq = engine.state.seq;
        const nextId = engine.state.nextCheckpointId;
        if (known !== undefined && known.command !== commandKey) {
          await expect(run(engine, step, from)).rejects.toBeInstanceOf(OperationConflictError);
          expect(engine.state.seq).toBe(seq);
          continue;
        }
        if (known !== undefined) {
          expect(await run(engine, step, from)).toBe(known.result);
          expect(engine.state.seq).toBe(seq);
          continue;
        }
        let result: unknown;
        if (step.inDoubt) {
          doubt.arm();
          await expect(run(engine, step, from)).rejects.toThrow('connection lost');
          await engine.reload();
          expect(engine.state.seq).toBe(seq + 1);
          // The retry: safe with an id (nothing written), a second event without one.
          result = await run(engine, step, from);
          expect(engine.state.seq).toBe(step.operationId === undefined ? seq + 2 : seq + 1);
        } else {
          result = await run(engine, step, from);
          expect(engine.state.seq).toBe(seq + 1);
        }
        if (step.command.kind === 'checkpoint') {
          const retriedWithoutId = step.inDoubt && step.operationId === undefined;
          expect(result).toBe(retriedWithoutId ? nextId + 1 : nextId);
        }
        if (step.command.kind === 'clear') remembered = new Map();
        if (step.operationId !== undefined) {
          remembered.set(step.operationId, { command: commandKey, result });
        }
      }
      const stored = doubt.inner.events;
      expect(stateToJson(foldEvents(stored))).toEqual(stateToJson(engine.state));
      expect(engine.state.operations.map((record) => record.id).sort()).toEqual(
        [...remembered.keys()].sort(),
      );
      const snapshot = snapshotStateOf(engine.state);
      const reopened = foldEvents([
        {
          seq: engine.state.seq,
          v: 1,
          at: 'now',
          type: 'state.snapshotted',
          data: { state: snapshot },
        },
      ]);
      expect(stateToJson(reopened)).toEqual(stateToJson(engine.state));
    },
  );
});
