import {
  type ContextEngine,
  createContext,
  type EventStore,
  openMemoryStore,
} from '@contextlog/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkEngine,
  createFaultyStore,
  type EngineOperation,
  engineProperty,
  fuzzRuns,
  type StoreUnderTest,
} from '../index.js';

/** Wraps a forwarded command (identity, or work done before forwarding). */
type Wrap = <A extends unknown[], R>(
  forward: (...args: A) => Promise<R>,
) => (...args: A) => Promise<R>;

// Forwards as the README example's createLoggingEngine does; that one must read as the README.
/**
 * An engine of the user's own that wraps ours and forwards every call (each command through
 * `wrap`): it must pass too.
 */
async function createForwardingEngine(
  store: EventStore,
  overrides: Partial<ContextEngine> = {},
  wrap: Wrap = (forward) => forward,
): Promise<ContextEngine> {
  const inner = await createContext(store);
  return {
    get state() {
      return inner.state;
    },
    get state$() {
      return inner.state$;
    },
    get events$() {
      return inner.events$;
    },
    setSystemPrompt: wrap((prompt, options) => inner.setSystemPrompt(prompt, options)),
    appendMessages: wrap((messages, options) => inner.appendMessages(messages, options)),
    recordUsage: wrap((tokenCount, options) => inner.recordUsage(tokenCount, options)),
    checkpoint: wrap((options) => inner.checkpoint(options)),
    revertTo: wrap((checkpointId, options) => inner.revertTo(checkpointId, options)),
    clear: wrap((options) => inner.clear(options)),
    compact: wrap((messages, options) => inner.compact(messages, options)),
    setMetadata: wrap((key, value, options) => inner.setMetadata(key, value, options)),
    replaceMessages: wrap((from, messages, options) =>
      inner.replaceMessages(from, messages, options),
    ),
    replaceMessage: wrap((index, message, options) =>
      inner.replaceMessage(index, message, options),
    ),
    reload: () => inner.reload(),
    close: () => inner.close(),
    stats: () => inner.stats(),
    ...overrides,
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A user's engine that does 40 ms of real async work (a moderation call, a log write) before it
 * forwards each command. Every command waits the same time, so call order is kept.
 */
const createSlowEngine = (store: EventStore, ms: number): Promise<ContextEngine> =>
  createForwardingEngine(store, {}, (forward) => async (...args) => {
    await sleep(ms);
    return forward(...args);
  });

describe('checkEngine', () => {
  it('passes core engine on the memory store', async () => {
    await checkEngine((store) => createContext(store));
  });

  it('passes an engine that wraps core engine and forwards every call', async () => {
    await checkEngine((store) => createForwardingEngine(store));
  });

  it('passes core engine under high fault and abort rates', async () => {
    await checkEngine((store) => createContext(store, { maxPending: 10_000 }), {
      rejectRate: 0.3,
      brokenRate: 0.1,
      abortRate: 0.4,
    });
  });

  it('uses the store makeStore makes, and disposes of it after each run', async () => {
    let made = 0;
    let disposed = 0;
    const makeStore = async (id: string): Promise<StoreUnderTest> => {
      expect(id).toMatch(/^engine-run-\d+$/);
      made++;
      return {
        store: await openMemoryStore(),
        dispose: async () => {
          disposed++;
        },
      };
    };
    await checkEngine((store) => createContext(store), { makeStore, numRuns: 20 });
    expect(made).toBe(20);
    expect(disposed).toBe(20);
  });

  it('works with an inner store whose appends take real time, as a file store does', async () => {
    const started = performance.now();
    await checkEngine((store) => createContext(store), {
      makeStore: async () => createFaultyStore(await openMemoryStore(), { latencyMs: 2 }),
      numRuns: 15,
    });
    // The real waits happened (each run writes at least once): the driver waited for them.
    expect(performance.now() - started).toBeGreaterThan(15 * 2);
  });

  it('waits for an engine that does real async work the scheduler cannot see', async () => {
    await checkEngine((store) => createSlowEngine(store, 40), { numRuns: fuzzRuns(15) });
  });

  // `command` is the deprecated name of the `operation` option: both must narrow the calls.
  it.each(['operation', 'command'] as const)(
    'reports a hang once nothing settled for idleMs, and names idleMs (option %s)',
    async (option) => {
      // Never forwards appendMessages: those calls hang.
      const hangs = (store: EventStore) =>
        createForwardingEngine(store, { appendMessages: () => new Promise<void>(() => {}) });
      let drawn = 0;
      const only = fc
        .constant<EngineOperation>({
          kind: 'appendMessages',
          messages: { role: 'user', content: 'hi' },
        })
        .map((operation) => {
          drawn++;
          return operation;
        });
      const started = performance.now();
      const details = await fc.check(engineProperty(hangs, { [option]: only, idleMs: 150 }), {
        numRuns: 1,
        endOnFailure: true,
      });
      const elapsed = performance.now() - started;
      expect(drawn).toBeGreaterThan(0);
      expect(String(details.errorInstance)).toMatch(
        /\(4\) liveness: call #0 appendMessages.* never settled \(nothing settled for idleMs = 150 ms with nothing scheduled/,
      );
      // It waited idleMs, and not much more.
      expect(elapsed).toBeGreaterThanOrEqual(150);
      expect(elapsed).toBeLessThan(1500);
    },
  );

  it('replays a failure from the seed and path it prints', async () => {
    // Loses every clear(): resolves without writing.
    const broken = (store: EventStore) => createForwardingEngine(store, { clear: async () => {} });
    let message = '';
    try {
      await checkEngine(broken, { numRuns: 300 });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/clear resolved, but its event was never written/);
    const seed = Number(/seed: (-?\d+)/.exec(message)?.[1]);
    const path = /path: "([^"]+)"/.exec(message)?.[1];
    expect(Number.isInteger(seed)).toBe(true);
    expect(path).toBeDefined();
    await expect(checkEngine(broken, { seed, path: path as string, numRuns: 1 })).rejects.toThrow(
      /clear resolved, but its event was never written/,
    );
  });
});
