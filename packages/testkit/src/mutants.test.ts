import {
  type CommandOptions,
  type ContextEngine,
  type ContextState,
  type EventStore,
  hasCode,
  type StoredEvent,
} from '@contextlog/core';
import { foldEvents } from '@contextlog/core/store';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkEngine,
  DEFAULT_ENGINE_RUNS,
  type EngineOperation,
  type EngineScenario,
  engineProperty,
  expectedOutcome,
} from './index.js';

/**
 * A small engine written for these tests, independent of core's, so each bug below is one
 * switch away from correct code. Without a bug it keeps the contract (tested first).
 */
type Bug =
  | 'none'
  /** 1. kimi-cli's pattern: memory changes when the call is made, the write comes later. */
  | 'state-before-write'
  /** 2. Every call starts its own write: writes are not serialized. */
  | 'concurrent-appends'
  /** 3. Inside the lock, memory changes first and the write follows (kimi-cli PR 1520 review). */
  | 'state-in-lock-before-write'
  /** 4. An abort that arrives while the call's write is running still rejects the call. */
  | 'abort-during-write'
  /** 5a. After the first failed append the pipeline dies: later calls hang. */
  | 'dies-hangs'
  /** 5b. After the first failed append the pipeline dies: later calls all reject. */
  | 'dies-rejects'
  /** 6a. The `AbortSignal` is ignored: aborted calls are written like the others. */
  | 'ignores-abort'
  /** 6b. A signal aborted before the call is honoured, but an abort while queued is ignored. */
  | 'ignores-abort-while-queued'
  /** 7. A retry with a remembered operation id is written again (the id is stored, never looked up). */
  | 'writes-repeats'
  /**
   * Not a bug: the batch forms, then a macrotask passes before the append is called. An abort
   * in between changes nothing (the contract drops only commands aborted before their batch
   * forms), so the checks must not count it against the engine.
   */
  | 'gap-before-append';

/** Aborts that landed between a batch's forming and its append, in 'gap-before-append'. */
let gapAborts = 0;

interface Pending {
  readonly command: EngineOperation;
  readonly resolve: (value: unknown) => void;
  readonly reject: (reason: unknown) => void;
  readonly detach: () => void;
  readonly aborted: () => boolean;
}

const coded = (code: string, message: string) => Object.assign(new Error(message), { code });

async function createToyEngine(store: EventStore, bug: Bug): Promise<ContextEngine> {
  // `committed` is what the store holds; `state` is what the engine shows (the same, without a bug).
  let committed: ContextState = await foldEvents(store.load());
  let state = committed;
  let queue: Pending[] = [];
  let writing = false;
  let broken: unknown;
  let dead = false;

  // With concurrent appends, a batch forms on the state the batches still in flight will leave
  // (as a lock-free writer would), so the bug shows as overlapping appends, not as refusals.
  let tip: ContextState = committed;

  async function writeBatch(batch: Pending[]): Promise<void> {
    for (const entry of batch) entry.detach();
    const before = bug === 'concurrent-appends' ? tip : committed;
    let formed = before;
    const events: StoredEvent[] = [];
    const members: Pending[] = [];
    // Calls whose operation id the state remembers: [call, result, whether its first is in this batch].
    const repeats: [Pending, unknown, boolean][] = [];
    for (const entry of batch) {
      let outcome = expectedOutcome(entry.command, formed);
      if (bug === 'writes-repeats' && outcome.kind === 'repeat') {
        const { operationId, ...command } = entry.command;
        const again = expectedOutcome(command as EngineOperation, formed);
        if (again.kind === 'event' && operationId !== undefined)
          outcome = { ...again, op: operationId };
      }
      if (outcome.kind === 'repeat') {
        const id = entry.command.operationId;
        repeats.push([entry, outcome.result, !before.operations.some((op) => op.id === id)]);
        continue;
      }
      if (outcome.kind !== 'event') {
        entry.reject(coded(outcome.kind === 'invalid' ? outcome.code : 'X', 'invalid'));
        continue;
      }
      const event = {
        ...outcome.event,
        seq: formed.seq + 1,
        at: new Date().toISOString(),
        ...(outcome.op === undefined ? {} : { op: outcome.op }),
      };
      formed = foldEvents([event as StoredEvent], formed);
      events.push(event as StoredEvent);
      members.push(entry);
    }
    const settleRepeats = (error?: unknown) => {
      for (const [entry, result, inBatch] of repeats) {
        if (error !== undefined && inBatch) entry.reject(error);
        else entry.resolve(result);
      }
    };
    if (events.length === 0) return settleRepeats();
    tip = formed;
    if (bug === 'state-in-lock-before-write') state = formed;
    try {
      await store.append(events, { expectedSeq: before.seq });
    } catch (error) {
      if (hasCode(error, 'STORE_BROKEN')) broken = coded('CONTEXT_BROKEN', 'broken');
      if (bug === 'dies-hangs' || bug === 'dies-rejects') dead = true;
      tip = committed;
      for (const entry of members) entry.reject(error);
      return settleRepeats(error);
    }
    committed = formed;
    if (bug !== 'state-before-write') state = formed;
    for (const [index, entry] of members.entries()) {
      const event = events[index] as StoredEvent;
      entry.resolve(event.type === 'checkpoint.created' ? event.data.id : undefined);
    }
    settleRepeats();
  }

  async function pump(): Promise<void> {
    if (dead) {
      if (bug === 'dies-rejects')
        for (const entry of queue.splice(0)) entry.reject(coded('DEAD', 'dead'));
      return;
    }
    if (bug !== 'concurrent-appends' && writing) return;
    if (queue.length === 0) return;
    const batch = queue;
    queue = [];
    writing = true;
    try {
      if (bug === 'gap-before-append') {
        for (const entry of batch) entry.detach();
        await new Promise<void>((resolve) => setImmediate(resolve));
        gapAborts += batch.filter((entry) => entry.aborted()).length;
      }
      await writeBatch(batch);
    } finally {
      writing = false;
    }
    void pump();
  }

  function call(operation: EngineOperation, options: CommandOptions = {}): Promise<unknown> {
    const { operationId } = options;
    const command = operationId === undefined ? operation : { ...operation, operationId };
    return new Promise((resolve, reject) => {
      if (broken !== undefined) return reject(broken);
      if (dead && bug === 'dies-rejects') return reject(coded('DEAD', 'the pipeline died'));
      const signal = bug === 'ignores-abort' ? undefined : options.signal;
      if (signal?.aborted) return reject(signal.reason);
      const outcome = expectedOutcome(command, state);
      if (outcome.kind === 'noop') return resolve(undefined);
      if (bug === 'state-before-write' && outcome.kind === 'event') {
        // Shown at once; a failed write leaves it there.
        state = foldEvents(
          [{ ...outcome.event, seq: state.seq + 1, at: '' } as StoredEvent],
          state,
        );
      }
      const onAbort = () => {
        const index = queue.indexOf(entry);
        if (index !== -1) queue.splice(index, 1);
        if (index !== -1 || bug === 'abort-during-write') reject(signal?.reason);
      };
      const entry: Pending = {
        command,
        resolve,
        reject,
        detach: () => {
          if (bug !== 'abort-during-write') signal?.removeEventListener('abort', onAbort);
        },
        aborted: () => signal?.aborted === true,
      };
      if (bug !== 'ignores-abort-while-queued') {
        signal?.addEventListener('abort', onAbort, { once: true });
      }
      queue.push(entry);
      void pump();
    });
  }

  const engine = {
    get state() {
      return state;
    },
    state$: undefined as unknown as ContextEngine['state$'],
    events$: undefined as unknown as ContextEngine['events$'],
    setSystemPrompt: (prompt, options) =>
      call({ kind: 'setSystemPrompt', prompt }, options) as Promise<void>,
    appendMessages: (messages, options) =>
      call({ kind: 'appendMessages', messages }, options) as Promise<void>,
    recordUsage: (tokenCount, options) =>
      call({ kind: 'recordUsage', tokenCount }, options) as Promise<void>,
    checkpoint: (options = {}) =>
      call(
        options.addUserMessage === undefined
          ? { kind: 'checkpoint' }
          : { kind: 'checkpoint', addUserMessage: options.addUserMessage },
        options,
      ) as Promise<number>,
    revertTo: (checkpointId, options) =>
      call({ kind: 'revertTo', checkpointId }, options) as Promise<void>,
    clear: (options) => call({ kind: 'clear' }, options) as Promise<void>,
    compact: (messages, options = {}) =>
      call(
        options.tokenCount === undefined
          ? { kind: 'compact', messages }
          : { kind: 'compact', messages, tokenCount: options.tokenCount },
        options,
      ) as Promise<void>,
    setMetadata: (key, value, options) =>
      call({ kind: 'setMetadata', key, value }, options) as Promise<void>,
    replaceMessages: (from, messages, options = {}) =>
      call(
        options.expectedSuffix === undefined
          ? { kind: 'replaceMessages', from, messages }
          : { kind: 'replaceMessages', from, messages, expectedSuffix: options.expectedSuffix },
        options,
      ) as Promise<void>,
    replaceMessage: (index, message, options) =>
      call({ kind: 'replaceMessage', index, message }, options) as Promise<void>,
    reload: async () => state,
    close: () => store.close(),
    stats: () => ({
      queueDepth: queue.length,
      inFlight: 0,
      batchesWritten: 0,
      eventsWritten: 0,
      lastBatchSize: 0,
      lastAppendLatencyMs: 0,
      status: 'open' as const,
    }),
  } satisfies ContextEngine;
  return engine;
}

/**
 * The toy engine does no real I/O and never waits on a timer, so a run that goes quiet for 25 ms
 * is hung; the default `idleMs` (2 s, sized for real engines and file stores) would make
 * 'dies-hangs' cost 2 s per failing run and per shrink step.
 */
const TOY_IDLE_MS = 25;

const checkToy = (bug: Bug) =>
  checkEngine((store) => createToyEngine(store, bug), { idleMs: TOY_IDLE_MS });

/**
 * Runs the property as `checkEngine` does and returns fast-check's report. The seed is fixed so
 * the size of the shrunk counterexample is the same on every run (shrinking from a random seed
 * usually ends at 1 to 4 calls, now and then at 5); detection itself is tested with random seeds.
 */
async function report(bug: Bug) {
  return fc.check(
    engineProperty((store) => createToyEngine(store, bug), { idleMs: TOY_IDLE_MS }),
    { numRuns: DEFAULT_ENGINE_RUNS, seed: 20261127 },
  );
}

describe('checkEngine catches real bugs', () => {
  it('passes the toy engine without a bug (so each catch below is the bug)', async () => {
    await checkToy('none');
  });

  it('passes the toy engine that lets time pass between forming a batch and writing it', async () => {
    gapAborts = 0;
    // A high abort rate, so that about 25 aborts land in the gap in 100 runs.
    await checkEngine((store) => createToyEngine(store, 'gap-before-append'), {
      idleMs: TOY_IDLE_MS,
      abortRate: 0.5,
    });
    // Aborts did land in the gap (and were rightly not counted against the engine).
    expect(gapAborts).toBeGreaterThan(0);
  });

  // Each bug, and the violation its shrunk counterexample must show.
  const cases: [Bug, RegExp][] = [
    ['state-before-write', /\(1\) replay = live.*engine\.state is not the last committed state/],
    ['concurrent-appends', /\(5\) serialization: append #1 was called while 1 other append/],
    [
      'state-in-lock-before-write',
      /\(1\) replay = live.*engine\.state is not the last committed state/,
    ],
    // When the aborted call's event equals a later call's (shrinking makes them equal), the judge
    // cannot tell which call a stored event belongs to, and names the extra event instead.
    [
      'abort-during-write',
      /rejected with TESTKIT_ABORT, but its event .* was committed|\(2\)\(3\) append #\d+ wrote .* which is not the event of any call/,
    ],
    ['dies-hangs', /\(4\) liveness: call #\d+ \w+ never settled/],
    ['dies-rejects', /\(4\) liveness: call #\d+ \w+ rejected with DEAD/],
    ['ignores-abort', /\(2\) abort: call #\d+ \w+ was aborted .*before its batch formed/],
    [
      'ignores-abort-while-queued',
      /\(2\) abort: call #\d+ \w+ was aborted at step \d+, while it was queued behind append #\d+/,
    ],
    ['writes-repeats', /\(2\)\(3\) append #\d+ wrote .* which is not the event of any call/],
  ];
  for (const [bug, violation] of cases) {
    it(`catches ${bug} at the default run count, with a short counterexample`, async () => {
      await expect(checkToy(bug)).rejects.toThrow(violation);
      const details = await report(bug);
      expect(details.failed).toBe(true);
      const [scenario] = details.counterexample ?? [];
      // Shrunk to a handful of calls.
      expect((scenario as EngineScenario).calls.length).toBeLessThanOrEqual(4);
      expect(String(details.errorInstance)).toMatch(violation);
    });
  }
});
