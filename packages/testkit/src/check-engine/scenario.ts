import type { Message } from '@contextlog/core';
import fc from 'fast-check';
import { arbOperation } from '../arbitraries/operation.js';
import type { FuzzedDialect } from '../dialects/fuzzed-dialect.js';
import type { AppendFault } from '../faulty-store/faulty-store.js';
import type { EngineOperation } from '../operations/operation.js';

/**
 * When a call's `AbortSignal` fires: never, before the call, at a moment the scheduler picks, or
 * as soon as the engine's next append starts (while the write that may hold it is in flight).
 */
export type AbortPlan = 'none' | 'before' | 'later' | 'during-write';

export interface ScenarioCall<M = Message> {
  readonly operation: EngineOperation<M>;
  readonly abort: AbortPlan;
  /** Let the scheduler run other tasks before this call (otherwise it follows the previous one at once). */
  readonly yieldBefore: boolean;
}

/** One run of the engine property: what the store holds first, the calls, and each append's fault. */
export interface EngineScenario<M = Message> {
  /** Valid operations whose events are in the store before the engine opens it. */
  readonly history: readonly EngineOperation<M>[];
  readonly calls: readonly ScenarioCall<M>[];
  /** The fault of each faulty append, by append index (0-based); the others get none. */
  readonly faults: Readonly<Record<number, AppendFault>>;
}

export interface ScenarioRates<M = Message> {
  readonly maxCommands: number;
  /** The session's dialect (default kimi-cli's): what the history and default calls hold. */
  readonly dialect?: FuzzedDialect<M>;
  /** The calls' operations (default `arbOperation({ dialect })`). */
  readonly operation?: fc.Arbitrary<EngineOperation<M>>;
  readonly rejectRate: number;
  readonly brokenRate: number;
  readonly abortRate: number;
}

/** A weight out of 1000 for `rate`, so 0 disables an option. */
const weight = (rate: number) => Math.round(Math.max(0, Math.min(1, rate)) * 1000);

function weighted<T>(entries: readonly [number, fc.Arbitrary<T>][]): fc.Arbitrary<T> {
  const present = entries
    .filter(([w]) => w > 0)
    .map(([w, arbitrary]) => ({ weight: w, arbitrary }));
  // Cross-shrinking lets a counterexample shrink an abort or a fault back to the first option.
  return fc.oneof({ withCrossShrink: true }, ...present);
}

export function arbScenario<M = Message>(rates: ScenarioRates<M>): fc.Arbitrary<EngineScenario<M>> {
  const dialect = rates.dialect === undefined ? {} : { dialect: rates.dialect };
  const none = 1000 - weight(rates.rejectRate) - weight(rates.brokenRate);
  const fault = weighted<AppendFault>([
    [Math.max(none, 1), fc.constant({ kind: 'none' })],
    [weight(rates.rejectRate), fc.constant({ kind: 'reject' })],
    [weight(rates.brokenRate), fc.nat({ max: 4 }).map((keep) => ({ kind: 'broken', keep }))],
  ]);
  const abortRate = weight(rates.abortRate);
  const quarter = Math.round(abortRate / 4);
  const abort = weighted<AbortPlan>([
    [Math.max(1000 - abortRate, 1), fc.constant('none')],
    [quarter, fc.constant('before')],
    [abortRate - 2 * quarter, fc.constant('later')],
    [quarter, fc.constant('during-write')],
  ]);
  const call = fc.record({
    operation: rates.operation ?? arbOperation<M>(dialect),
    abort,
    yieldBefore: fc.boolean(),
    // Now and then a call is a retry: an earlier call's operation again, operation id and all.
    retryOf: fc.option(fc.nat(), { freq: 6, nil: undefined }),
  });
  return fc.record({
    history: fc.array(arbOperation<M>({ ...dialect, invalidWeight: 0 }), { maxLength: 4 }),
    calls: fc.array(call, { minLength: 1, maxLength: rates.maxCommands }).map((calls) =>
      calls.map(({ retryOf, ...planned }, index): ScenarioCall<M> => {
        const earlier = retryOf === undefined || index === 0 ? undefined : calls[retryOf % index];
        return earlier === undefined ? planned : { ...planned, operation: earlier.operation };
      }),
    ),
    // A draw per append up to a random length (appends past it get none). A variable length
    // lets shrinking drop entries, which moves a fault to an earlier append. Shown sparse.
    faults: fc.array(fault, { maxLength: rates.maxCommands, size: 'max' }).map((list) => {
      const faults: Record<number, AppendFault> = {};
      for (const [index, entry] of list.entries()) if (entry.kind !== 'none') faults[index] = entry;
      return faults;
    }),
  });
}
