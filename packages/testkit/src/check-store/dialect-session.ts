import { createContext, type StoredEvent, stateToJson } from '@contextlog/core';
import { foldEvents } from '@contextlog/core/store';
import fc from 'fast-check';
import { fuzzRuns } from '../check-engine/check-engine.js';
import { arbNote, type Note, notesDialect } from '../dialects/notes-dialect.js';
import { sameJson } from '../json.js';
import { expectLog, fail, type StoreCheck, withStore } from './support.js';

const AT = '2026-01-01T00:00:00.000Z';

/**
 * A session of another dialect than kimi-cli's (the testkit's `notesDialect`): its declaration,
 * messages that are not kimi-cli's shape, edits and a snapshot carrying the dialect come back
 * exactly; and an engine of that dialect on the store reads back what it wrote, replay = live.
 */
export const checkDialectSession: StoreCheck = async (makeStore) => {
  const arbLog = fc.tuple(
    fc.array(fc.array(arbNote(), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 4 }),
    fc.array(arbNote(), { maxLength: 2 }),
  );
  await fc.assert(
    fc.asyncProperty(arbLog, (log) =>
      withStore(makeStore, async (_, store) => {
        const [appends, replacement] = log;
        const events: StoredEvent[] = [
          {
            seq: 1,
            type: 'session.declared',
            v: 1,
            at: AT,
            data: {
              dialect: { name: notesDialect.name, version: notesDialect.version },
              estimator: 'kimi-cli',
            },
          },
        ];
        for (const messages of appends) {
          events.push({
            seq: events.length + 1,
            type: 'messages.appended',
            v: 1,
            at: AT,
            data: { messages },
          } as unknown as StoredEvent);
        }
        events.push({
          seq: events.length + 1,
          type: 'messages.replaced',
          v: 1,
          at: AT,
          data: { from: 1, messages: replacement },
        } as unknown as StoredEvent);
        await store.append(events.slice(0, 1), { expectedSeq: 0 });
        await store.append(events.slice(1), { expectedSeq: 1 });
        await expectLog(store, events, 'a session in the testkit-notes dialect');

        const engine = await createContext<Note>(store, { dialect: notesDialect });
        const [first] = appends[0] ?? [];
        if (first !== undefined) await engine.appendMessages(first, { operationId: 'check' });
        await engine.checkpoint({ addUserMessage: true });
        const loaded: StoredEvent[] = [];
        for await (const event of store.load()) loaded.push(event);
        const replayed = foldEvents(loaded, undefined, { dialects: [notesDialect] });
        if (!sameJson(stateToJson(replayed), stateToJson(engine.state))) {
          fail(
            `an engine of the ${notesDialect.name} dialect: the state replayed from the store differs from the engine's`,
          );
        }
        await engine.close();
      }),
    ),
    { numRuns: fuzzRuns(10) },
  );
};
