import { createContext, openMemoryStore } from '@contextlog/core';
import { test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { arbOperationSequence, expectReplayEqualsLive, runOperation } from './index.js';

describe('expectReplayEqualsLive', () => {
  test.prop([arbOperationSequence()], { numRuns: 30 })(
    'holds after any sequence of operations on core engine',
    async (operations) => {
      const store = await openMemoryStore();
      const engine = await createContext(store);
      await Promise.allSettled(operations.map((operation) => runOperation(engine, operation)));
      await expectReplayEqualsLive(engine, store);
      await engine.close();
    },
  );

  it('names the first difference when the store lost an event', async () => {
    const store = await openMemoryStore();
    const engine = await createContext(store);
    await engine.appendMessages([
      { role: 'user', content: 'one' },
      { role: 'assistant', content: 'two' },
    ]);
    await engine.setMetadata('title', 'kept');
    const partial = await openMemoryStore({ events: store.events.slice(0, 1) });
    await expect(expectReplayEqualsLive(engine, partial)).rejects.toThrow(
      /replay of the 1 stored event\(s\) differs from engine.state at metadata.title: live "kept", replay undefined/,
    );
  });

  it('names the message that differs', async () => {
    const store = await openMemoryStore();
    const engine = await createContext(store);
    await engine.appendMessages({ role: 'user', content: 'one' });
    const other = await openMemoryStore();
    const twin = await createContext(other);
    await twin.appendMessages({ role: 'user', content: 'uno' });
    await expect(expectReplayEqualsLive(engine, other)).rejects.toThrow(
      /at messages\[0\]\.content: live "one", replay "uno"/,
    );
  });
});
