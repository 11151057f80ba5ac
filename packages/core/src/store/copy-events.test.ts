import { describe, expect, it } from 'vitest';
import { createContext } from '../engine/create-context.js';
import { CopyMismatchError, CopyTargetNotEmptyError } from '../errors/copy-errors.js';
import type { StoredEvent } from '../events/schemas.js';
import { snapshotStateOf, stateToJson } from '../projection/state.js';
import { appendInBatches } from './append-in-batches.js';
import { copyEvents } from './copy-events.js';
import type { EventStore, ImportEventsOptions } from './event-store.js';
import { openMemoryStore } from './memory-store.js';

const AT = '2026-01-01T00:00:00.000Z';

/** A log that starts with a snapshot: at seq 6, then seqs 7..11. */
async function snapshotLog(): Promise<StoredEvent[]> {
  const engine = await createContext(await openMemoryStore());
  await engine.setSystemPrompt('be brief');
  for (let i = 0; i < 4; i++) await engine.appendMessages({ role: 'user', content: `m${i}` });
  await engine.checkpoint();
  const snapshot: StoredEvent = {
    seq: engine.state.seq,
    type: 'state.snapshotted',
    v: 1,
    at: AT,
    data: { state: snapshotStateOf(engine.state) },
  };
  const store = await openMemoryStore({ events: [snapshot] });
  const after = await createContext(store);
  for (let i = 0; i < 5; i++) await after.appendMessages({ role: 'user', content: `n${i}` });
  return store.events.slice();
}

describe('copyEvents', () => {
  it('copies a log that starts with a snapshot batch by batch, keeping seqs, and returns the replayed state', async () => {
    const events = await snapshotLog();
    const target = await openMemoryStore();
    const sizes: number[] = [];
    const append = target.append.bind(target);
    const watched: EventStore = {
      load: () => target.load(),
      close: () => target.close(),
      append: (batch, options) => {
        sizes.push(batch.length);
        return append(batch, options);
      },
    };
    const result = await copyEvents(await openMemoryStore({ events }), watched, { batchSize: 4 });
    expect(target.events).toEqual(events);
    expect(sizes).toEqual([4, 2]);
    expect(result.events).toBe(6);
    expect(result.lastSeq).toBe(11);
    expect(stateToJson(result.state)).toEqual(
      stateToJson(
        (await copyEvents(await openMemoryStore({ events }), await openMemoryStore())).state,
      ),
    );
    expect(result.state.messages.map((m) => m.content)).toEqual([
      'm0',
      'm1',
      'm2',
      'm3',
      'n0',
      'n1',
      'n2',
      'n3',
      'n4',
    ]);
  });

  it('refuses a target with events, naming it, and leaves it as it was', async () => {
    const events = await snapshotLog();
    const target = await openMemoryStore({ events });
    await expect(copyEvents(await openMemoryStore({ events }), target)).rejects.toThrow(
      'the target already holds a session',
    );
    const error = await copyEvents(await openMemoryStore({ events }), target, {
      targetName: 'b.jsonl',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CopyTargetNotEmptyError);
    expect(error).toMatchObject({ code: 'COPY_TARGET_NOT_EMPTY', target: 'b.jsonl' });
    expect(target.events).toEqual(events);
  });

  it("hands the whole log to the target's importEvents when it has one", async () => {
    const events = await snapshotLog();
    const target = await openMemoryStore();
    const calls: ImportEventsOptions[] = [];
    const source = await openMemoryStore({ events });
    const importing: EventStore = {
      load: () => target.load(),
      append: () => Promise.reject(new Error('append is not used when importEvents exists')),
      close: () => target.close(),
      async importEvents(incoming, options) {
        calls.push(options);
        await appendInBatches(target, incoming, options.batchSize);
      },
    };
    const result = await copyEvents(source, importing, { batchSize: 3 });
    expect(calls).toEqual([{ batchSize: 3, source }]);
    expect(target.events).toEqual(events);
    expect(result.lastSeq).toBe(11);
    // Its refusal is named as the caller names the target.
    const full: EventStore = {
      ...importing,
      importEvents: () => Promise.reject(new CopyTargetNotEmptyError('table t, session "s"')),
    };
    await expect(
      copyEvents(source, full, { targetName: 'postgres://u:***@h/db' }),
    ).rejects.toMatchObject({
      message:
        'postgres://u:***@h/db already holds a session: copy writes only into an empty target',
      cause: { target: 'table t, session "s"' },
    });
  });

  it('checks that the target replays to the state of the source', async () => {
    const events = await snapshotLog();
    const target = await openMemoryStore();
    const lossy: EventStore = {
      // A store that loses the last event it was given.
      load: async function* () {
        const stored = target.events;
        yield* stored.slice(0, -1);
      },
      append: (batch, options) => target.append(batch, options),
      close: () => target.close(),
    };
    const error = await copyEvents(await openMemoryStore({ events }), lossy, {
      sourceName: 'a.jsonl',
      targetName: 'b',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CopyMismatchError);
    expect(error).toMatchObject({
      code: 'COPY_MISMATCH',
      message: 'b: the copy replays to another state than a.jsonl',
    });
  });

  it('takes the source state for a target whose import checked what it stored, and replays any other', async () => {
    const events = await snapshotLog();
    let loads = 0;
    // Loses the last event on reading back: only a replay of the target can notice.
    const lossy = async (checked: boolean | undefined): Promise<EventStore> => {
      const target = await openMemoryStore();
      return {
        load: async function* () {
          loads++;
          yield* target.events.slice(0, -1);
        },
        append: () => Promise.reject(new Error('append is not used when importEvents exists')),
        close: () => target.close(),
        async importEvents(incoming, options) {
          await appendInBatches(target, incoming, options.batchSize);
          return checked === undefined ? undefined : { checked };
        },
      };
    };
    const result = await copyEvents(await openMemoryStore({ events }), await lossy(true));
    expect(loads).toBe(0);
    expect(result.lastSeq).toBe(11);
    expect(stateToJson(result.state)).toEqual(
      stateToJson(
        (await copyEvents(await openMemoryStore({ events }), await openMemoryStore())).state,
      ),
    );
    for (const checked of [false, undefined]) {
      await expect(
        copyEvents(await openMemoryStore({ events }), await lossy(checked)),
      ).rejects.toMatchObject({ code: 'COPY_MISMATCH' });
    }
    expect(loads).toBe(2);
  });

  it('counts the whole source: a target whose import stops reading early does not pass', async () => {
    const events = await snapshotLog();
    const target = await openMemoryStore();
    const quitter: EventStore = {
      load: () => target.load(),
      append: (batch, options) => target.append(batch, options),
      close: () => target.close(),
      // Stores the first batch, then returns as if done: what it stored replays to what it read.
      async importEvents(incoming, { batchSize }) {
        const batch = [];
        for await (const event of incoming) {
          batch.push(event);
          if (batch.length === batchSize) break;
        }
        await target.append(batch, { expectedSeq: 0 });
      },
    };
    const error = await copyEvents(await openMemoryStore({ events }), quitter, {
      batchSize: 2,
      sourceName: 'a.jsonl',
      targetName: 'b',
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'COPY_MISMATCH',
      message: 'b: the copy stopped reading a.jsonl after 2 events',
    });
  });

  it('refuses a batch size that is not a positive integer, copying nothing', async () => {
    const target = await openMemoryStore();
    for (const batchSize of [0, -1, 1.5, Number.NaN]) {
      await expect(
        copyEvents(await openMemoryStore({ events: await snapshotLog() }), target, { batchSize }),
      ).rejects.toMatchObject({ code: 'VALIDATION', path: 'batchSize' });
    }
    expect(target.events).toEqual([]);
  });
});
