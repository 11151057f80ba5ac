import { createContext, kimiEstimator, type StoredEvent, stateToJson } from '@contextlog/core';
import { foldEvents } from '@contextlog/core/store';
import fc from 'fast-check';
import { fuzzRuns } from '../check-engine/check-engine.js';
import { foldOptionsOf } from '../check-engine/run.js';
import type { FuzzedDialect } from '../dialects/fuzzed-dialect.js';
import { notesFuzzedDialect } from '../dialects/notes-dialect.js';
import { sameJson } from '../json.js';
import { expectLog, fail, type StoreCheck, withStore } from './support.js';

const AT = '2026-01-01T00:00:00.000Z';

/**
 * The check that a session of `fuzzed`'s dialect (not kimi-cli's) is kept exactly: its
 * declaration, messages of that dialect and an edit come back as written; and an engine of that
 * dialect on the store reads back what it wrote, replay = live.
 */
export function dialectSessionCheck<M>(fuzzed: FuzzedDialect<M>): StoreCheck {
  const { dialect } = fuzzed;
  const label = `a session in the ${dialect.name} dialect`;
  return async (makeStore) => {
    const arbLog = fc.tuple(
      fc.array(fc.array(fuzzed.arbMessage(), { minLength: 1, maxLength: 3 }), {
        minLength: 1,
        maxLength: 4,
      }),
      fc.array(fuzzed.arbMessage(), { maxLength: 2 }),
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
                dialect: { name: dialect.name, version: dialect.version },
                estimator: (fuzzed.estimator ?? kimiEstimator).name,
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
          await expectLog(store, events, label);

          const engine = await createContext<M>(store, {
            dialect,
            ...(fuzzed.estimator === undefined ? {} : { estimator: fuzzed.estimator }),
          });
          const [first] = appends[0] ?? [];
          if (first !== undefined) await engine.appendMessages(first, { operationId: 'check' });
          await engine.checkpoint({ addUserMessage: dialect.checkpointMessage !== undefined });
          const loaded: StoredEvent[] = [];
          for await (const event of store.load()) loaded.push(event);
          const replayed = foldEvents<M>(
            loaded,
            undefined,
            foldOptionsOf(fuzzed as FuzzedDialect<unknown>),
          );
          if (!sameJson(stateToJson(replayed), stateToJson(engine.state))) {
            fail(
              `an engine of the ${dialect.name} dialect: the state replayed from the store differs from the engine's`,
            );
          }
          await engine.close();
        }),
      ),
      { numRuns: fuzzRuns(10) },
    );
  };
}

/** `dialectSessionCheck` of the testkit's notes dialect: one of `STORE_CHECKS`. */
export const checkDialectSession: StoreCheck = dialectSessionCheck(notesFuzzedDialect);
