import {
  type ContextEngine,
  type ContextState,
  codeOf,
  type DialectOptions,
  type EventStore,
  kimiEstimator,
  type Message,
  openMemoryStore,
  type StoredEvent,
  stateToJson,
} from '@contextlog/core';
import { type ContextEvent, foldEvents } from '@contextlog/core/store';
import type fc from 'fast-check';
import { stampEvents } from '../arbitraries/event.js';
import {
  type FuzzedDialect,
  isDefaultDialect,
  kimiFuzzedDialect,
} from '../dialects/fuzzed-dialect.js';
import { type AppendFault, createFaultyStore } from '../faulty-store/faulty-store.js';
import { preview, sameJson } from '../json.js';
import { expectedOutcome } from '../operations/model.js';
import { runOperation } from '../operations/operation.js';
import { loadAll, type MakeStore, openStoreUnderTest } from '../store-factory.js';
import { DEFAULT_IDLE_MS, drive } from './drive.js';
import {
  type AppendTiming,
  type CallRecord,
  type Observation,
  TestkitAbortError,
} from './observation.js';
import type { EngineScenario } from './scenario.js';

const NO_FAULT: AppendFault = Object.freeze({ kind: 'none' });

export type MakeEngine<M = Message> = (store: EventStore) => Promise<ContextEngine<M>>;

export const memoryStoreFactory: MakeStore = () => openMemoryStore();

/** How the judge folds the events of a session of `dialect`. */
export function foldOptionsOf(dialect: FuzzedDialect<unknown>): DialectOptions {
  return {
    dialects: [dialect.dialect],
    ...(dialect.estimator === undefined ? {} : { estimators: [dialect.estimator] }),
  };
}

/**
 * The events the scenario's history leaves in the store before the engine opens it. A session
 * that is not kimi-cli's starts with its declaration, as `createContext` writes it (always there,
 * so the engine never writes it through the faulty store).
 */
function historyEvents(
  scenario: EngineScenario<unknown>,
  dialect: FuzzedDialect<unknown>,
): StoredEvent[] {
  const options = foldOptionsOf(dialect);
  const events: StoredEvent[] = [];
  if (!isDefaultDialect(dialect)) {
    const declaration = {
      type: 'session.declared',
      v: 1,
      data: {
        dialect: { name: dialect.dialect.name, version: dialect.dialect.version },
        estimator: (dialect.estimator ?? kimiEstimator).name,
      },
    };
    events.push(...stampEvents([declaration as ContextEvent], 0));
  }
  let state = foldEvents(events, undefined, options);
  for (const operation of scenario.history) {
    const outcome = expectedOutcome(operation, state, dialect);
    if (outcome.kind !== 'event') continue;
    const [stamped] = stampEvents([outcome.event], state.seq);
    if (stamped === undefined) continue;
    const event =
      outcome.op === undefined ? stamped : ({ ...stamped, op: outcome.op } as StoredEvent);
    state = foldEvents([event], state, options);
    events.push(event);
  }
  return events;
}

function errorLabel(error: unknown): string {
  return codeOf(error) ?? preview(error, 80);
}

/**
 * Runs one scenario: opens the engine on a faulty store over a fresh inner store, fires the calls
 * (with their aborts) under the scheduler, drives everything to quiescence and records it all.
 */
export interface ScenarioRun {
  readonly makeEngine: MakeEngine<unknown>;
  readonly makeStore: MakeStore;
  readonly scenario: EngineScenario<unknown>;
  /** The session's dialect (default kimi-cli's). */
  readonly dialect?: FuzzedDialect<unknown>;
  readonly scheduler: fc.Scheduler;
  /** Names this run's store (a fresh table, file …). */
  readonly runId: string;
  readonly idleMs?: number;
}

export async function runScenario({
  makeEngine,
  makeStore,
  scenario,
  scheduler,
  runId,
  idleMs = DEFAULT_IDLE_MS,
  dialect = kimiFuzzedDialect as FuzzedDialect<unknown>,
}: ScenarioRun): Promise<Observation> {
  const made = await openStoreUnderTest(makeStore, runId);
  const inner = made.store;
  const foldOptions = foldOptionsOf(dialect);
  const initialEvents = historyEvents(scenario, dialect);
  if (initialEvents.length > 0) await inner.append(initialEvents, { expectedSeq: 0 });
  const initialState = foldEvents(initialEvents, undefined, foldOptions);

  const timeline: string[] = [];
  const midRun: string[] = [];
  let step = 0;
  const note = (text: string): number => {
    step++;
    timeline.push(`${step} ${text}`);
    return step;
  };

  let engine: ContextEngine<unknown> | undefined;
  let committed: ContextState<unknown> = initialState;
  const appendTimings: AppendTiming[] = [];
  const checkStateIsCommitted = (when: string) => {
    if (engine === undefined) return;
    const live = stateToJson(engine.state);
    if (!sameJson(live, stateToJson(committed))) {
      midRun.push(
        `(1) replay = live while writing, ${when}: engine.state is not the last committed state (state must move only after store.append resolved); ` +
          `engine.state.seq = ${preview((live as { seq?: unknown }).seq)}, committed seq = ${committed.seq}`,
      );
    }
  };

  // Calls whose signal fires when the next append starts.
  let armed: { readonly record: CallRecord; readonly abort: () => void }[] = [];

  const store = createFaultyStore(inner, {
    faults: (index) => scenario.faults[index] ?? NO_FAULT,
    scheduler,
    onAppendStart(record) {
      const first = record.events[0]?.seq;
      const last = record.events.at(-1)?.seq;
      const fault = record.fault.kind === 'none' ? '' : ` [fault: ${record.fault.kind}]`;
      const startedAt = note(
        `append #${record.index} called: ${record.events.length} event(s), seq ${first}..${last}, expectedSeq ${record.expectedSeq}${fault}`,
      );
      appendTimings.push({ record, startedAt });
      checkStateIsCommitted(`when append #${record.index} was called`);
      const firing = armed;
      armed = [];
      for (const entry of firing) entry.abort();
    },
    onAppendSettle(record) {
      checkStateIsCommitted(`when append #${record.index} returned`);
      if (record.status === 'committed') {
        committed = foldEvents(record.events, committed, foldOptions);
      }
      const timing = appendTimings.find((entry) => entry.record === record);
      const settledAt = note(
        `append #${record.index} ${record.status}${record.error === undefined ? '' : ` (${errorLabel(record.error)})`}`,
      );
      if (timing !== undefined) timing.settledAt = settledAt;
    },
  });
  const watch = { busy: () => store.innerPending > 0, progress: () => step, idleMs };

  engine = await makeEngine(store);
  const opened = engine;
  const engineStateAtOpen = engine.state;

  const calls: CallRecord[] = [];
  const pending: Promise<unknown>[] = [];
  const fire = async () => {
    for (const [index, planned] of scenario.calls.entries()) {
      if (planned.yieldBefore) await scheduler.schedule(Promise.resolve(), `before call #${index}`);
      const controller = new AbortController();
      const abortReason = new TestkitAbortError(index);
      let abortedAt: number | undefined;
      if (planned.abort === 'before') {
        controller.abort(abortReason);
        abortedAt = note(`abort #${index} (before its call)`);
      }
      const calledAt = note(
        `call #${index} ${planned.operation.kind}${planned.abort === 'none' ? '' : ` (abort ${planned.abort})`}`,
      );
      const record: CallRecord = {
        index,
        operation: planned.operation,
        calledAt,
        status: 'pending',
      };
      if (planned.abort !== 'none') record.abortReason = abortReason;
      if (abortedAt !== undefined) record.abortedAt = abortedAt;
      calls.push(record);
      const abortNow = () => {
        record.abortedAt = note(`abort #${index}`);
        controller.abort(abortReason);
      };
      if (planned.abort === 'during-write') armed.push({ record, abort: abortNow });
      let promise: Promise<unknown>;
      try {
        promise = runOperation(opened, planned.operation, { signal: controller.signal });
      } catch (error) {
        promise = Promise.reject(error);
      }
      pending.push(
        promise.then(
          (value) => {
            record.status = 'resolved';
            record.value = value;
            record.settledAt = note(
              `call #${index} resolved${value === undefined ? '' : ` ${preview(value)}`}`,
            );
          },
          (reason: unknown) => {
            record.status = 'rejected';
            record.reason = reason;
            record.settledAt = note(`call #${index} rejected (${errorLabel(reason)})`);
          },
        ),
      );
      if (planned.abort === 'later') {
        void scheduler.schedule(Promise.resolve(), `abort #${index}`).then(abortNow);
      }
    }
    await Promise.all(pending);
  };

  const fired = await drive(scheduler, fire(), watch);
  const finalState = engine.state;
  const storedEvents = await loadAll(inner);
  const observation: Observation = {
    dialect,
    foldOptions,
    initialEvents,
    initialState,
    engineStateAtOpen,
    calls,
    appends: appendTimings,
    storedEvents,
    finalState,
    midRun,
    stuck: !fired.settled,
    idleMs,
    timeline,
  };

  if (fired.settled) {
    const closed = await drive(scheduler, engine.close(), watch);
    if (!closed.settled) {
      midRun.push(
        `(4) liveness: close() never settled (nothing settled for idleMs = ${idleMs} ms with nothing scheduled)`,
      );
    } else if (!closed.ok) midRun.push(`close() rejected: ${preview(closed.error)}`);
    await made.dispose?.();
  }
  return observation;
}
