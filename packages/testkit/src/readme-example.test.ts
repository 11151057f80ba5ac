// The example of the README's "Testing your agent with @contextlog/testkit", with the package
// imports written as relative ones (the README imports '@contextlog/testkit' and its '/vitest').
// readme.test.ts fails when this file and the README block differ in anything but the imports.
import {
  type ContextEngine,
  createContext,
  type EventStore,
  type Message,
  openMemoryStore,
  type StoredEvent,
} from '@contextlog/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  arbMessage,
  arbOperationSequence,
  checkEngine,
  createFaultyStore,
  expectReplayEqualsLive,
  runOperation,
} from './index.js';
import { checkStore } from './vitest.js';

// --- Your agent code (here: a tiny one) -------------------------------------------------------

/** One agent turn: a checkpoint, the user's message, the model's reply, its token usage. */
async function agentTurn(
  engine: ContextEngine,
  user: Message,
  reply: Message,
  signal?: AbortSignal,
): Promise<number> {
  const checkpoint = await engine.checkpoint({ addUserMessage: false });
  await engine.appendMessages(user, signal ? { signal } : {});
  await engine.appendMessages(reply);
  await engine.recordUsage((engine.state.tokenCountWithPending ?? 0) + 10);
  return checkpoint;
}

/** Your own engine: here it wraps ours to log every append. */
async function createLoggingEngine(store: EventStore): Promise<ContextEngine> {
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
    setSystemPrompt: (prompt, options) => inner.setSystemPrompt(prompt, options),
    appendMessages: (messages, options) => inner.appendMessages(messages, options),
    recordUsage: (tokens, options) => inner.recordUsage(tokens, options),
    checkpoint: (options) => inner.checkpoint(options),
    revertTo: (id, options) => inner.revertTo(id, options),
    clear: (options) => inner.clear(options),
    compact: (messages, options) => inner.compact(messages, options),
    setMetadata: (key, value, options) => inner.setMetadata(key, value, options),
    replaceMessages: (from, messages, options) => inner.replaceMessages(from, messages, options),
    replaceMessage: (index, message, options) => inner.replaceMessage(index, message, options),
    reload: () => inner.reload(),
    close: () => inner.close(),
    stats: () => inner.stats(),
  };
}

// --- The tests ---------------------------------------------------------------------------------

describe('my agent on contextlog', () => {
  it('keeps replay = live through concurrent turns, whatever the messages', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(arbMessage(), arbMessage()), { maxLength: 5 }),
        async (turns) => {
          const store = await openMemoryStore();
          const engine = await createContext(store);
          await Promise.all(turns.map(([user, reply]) => agentTurn(engine, user, reply)));
          await expectReplayEqualsLive(engine, store);
          await engine.close();
        },
      ),
      { numRuns: 25 },
    );
  });

  it('keeps replay = live when the disk fails under a turn', async () => {
    const store = createFaultyStore(await openMemoryStore(), {
      rejectRate: 0.3,
      random: () => 0.1,
    });
    const engine = await createContext(store);
    const turn = agentTurn(
      engine,
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'hello' },
    );
    await expect(turn).rejects.toThrow(/injected fault/);
    await expectReplayEqualsLive(engine, store);
  });

  it('keeps replay = live after any mix of engine calls', async () => {
    await fc.assert(
      fc.asyncProperty(arbOperationSequence(), async (operations) => {
        const store = await openMemoryStore();
        const engine = await createContext(store);
        await Promise.allSettled(operations.map((operation) => runOperation(engine, operation)));
        await expectReplayEqualsLive(engine, store);
      }),
      { numRuns: 25 },
    );
  });

  it('my own engine keeps the engine contract', async () => {
    await checkEngine(createLoggingEngine);
  });
});

// A store of your own runs the store conformance suite; `reopen` opens the same log again.
checkStore('my store', async () => {
  const log: StoredEvent[] = [];
  const open = async (): Promise<EventStore> => {
    const inner = await openMemoryStore({ events: log });
    return {
      load: () => inner.load(),
      append: async (events, options) => {
        await inner.append(events, options);
        log.push(...events);
      },
      close: () => inner.close(),
    };
  };
  return { store: await open(), reopen: open };
});
