import type { Message } from '@contextlog/core';
import fc from 'fast-check';
import type { FuzzedDialect } from '../dialects/fuzzed-dialect.js';
import type { EngineOperation } from '../operations/operation.js';
import type { MakeStore } from '../store-factory.js';
import { DEFAULT_IDLE_MS } from './drive.js';
import { judge } from './judge.js';
import { type MakeEngine, memoryStoreFactory, runScenario } from './run.js';
import { arbScenario, type EngineScenario } from './scenario.js';

export interface CheckEngineOptions<M = Message> {
  /**
   * The dialect of the engine's session (default kimi-cli's): the operations carry its messages,
   * the history starts with its declaration, and the model and replay use it. The engine
   * `makeEngine` makes must be of this dialect (and estimator).
   */
  readonly dialect?: FuzzedDialect<M>;
  /** Runs (default 100, or the `FUZZ_RUNS` environment variable). */
  readonly numRuns?: number;
  /** Seed to replay a failure (printed with every counterexample). */
  readonly seed?: number;
  /** Path to replay a failure's shrunk counterexample (printed with it). */
  readonly path?: string;
  /** Most calls per run (default 14). */
  readonly maxCommands?: number;
  /** The operations to fire (default `arbOperation()`): narrow it to focus on your agent's mix. */
  readonly operation?: fc.Arbitrary<EngineOperation<M>>;
  /** @deprecated use `operation`. */
  readonly command?: fc.Arbitrary<EngineOperation<M>>;
  /** Probability that an append is rejected, writing nothing (default 0.1). */
  readonly rejectRate?: number;
  /** Probability that an append writes part of its batch and reports `StoreBrokenError` (default 0.03). */
  readonly brokenRate?: number;
  /** Probability that a call's signal is aborted, before the call or later (default 0.2). */
  readonly abortRate?: number;
  /**
   * Makes the fresh inner store of each run (default: `openMemoryStore()`); adapters pass e.g.
   * a file store on a temp file. It receives an id unique to the run.
   */
  readonly makeStore?: MakeStore;
  /**
   * Milliseconds a run may go quiet (nothing scheduled, no store I/O, no call or append settling)
   * before the pending calls count as hung (default 2000). An engine may do real async work the
   * scheduler cannot see, such as a timer or a network call: keep this above its longest such
   * wait. It costs time only when there is a hang (once per failing run and per shrink step).
   */
  readonly idleMs?: number;
  /** fast-check's verbosity for the failure report. */
  readonly verbose?: fc.VerbosityLevel;
}

export const DEFAULT_ENGINE_RUNS = 100;

/** `FUZZ_RUNS` from the environment, when set to a positive integer. */
export function fuzzRuns(fallback: number): number {
  const raw = globalThis.process?.env?.FUZZ_RUNS;
  const runs = raw === undefined ? Number.NaN : Number.parseInt(raw, 10);
  return Number.isInteger(runs) && runs > 0 ? runs : fallback;
}

let runCounter = 0;

/**
 * The conformance property of a context engine as a fast-check property, for runners that want
 * to drive it themselves (`fc.check`, `@fast-check/vitest`). `checkEngine` asserts it.
 */
export function engineProperty<M = Message>(
  makeEngine: MakeEngine<M>,
  options: CheckEngineOptions<M> = {},
): fc.IAsyncPropertyWithHooks<[EngineScenario<M>, fc.Scheduler]> {
  const makeStore = options.makeStore ?? memoryStoreFactory;
  const operation = options.operation ?? options.command;
  const { dialect } = options;
  const scenarios = arbScenario<M>({
    ...(dialect === undefined ? {} : { dialect }),
    ...(operation === undefined ? {} : { operation }),
    maxCommands: options.maxCommands ?? 14,
    rejectRate: options.rejectRate ?? 0.1,
    brokenRate: options.brokenRate ?? 0.03,
    abortRate: options.abortRate ?? 0.2,
  });
  return fc.asyncProperty(scenarios, fc.scheduler(), async (scenario, scheduler) => {
    runCounter++;
    const observation = await runScenario({
      makeEngine: makeEngine as MakeEngine<unknown>,
      makeStore,
      scenario: scenario as EngineScenario<unknown>,
      ...(dialect === undefined ? {} : { dialect: dialect as FuzzedDialect<unknown> }),
      scheduler,
      runId: `engine-run-${runCounter}`,
      idleMs: options.idleMs ?? DEFAULT_IDLE_MS,
    });
    const violations = judge(observation);
    if (violations.length > 0) {
      throw new Error(
        `the engine broke its contract:\n- ${violations.join('\n- ')}\n\ntimeline:\n  ${observation.timeline.join('\n  ')}`,
      );
    }
  });
}

/**
 * Checks that an engine keeps the context engine contract under concurrency, aborts and store
 * faults. `makeEngine(store)` builds the engine under test on a store the testkit controls.
 * Random calls are fired concurrently with random aborts and injected faults, interleaved by
 * `fc.scheduler()`, and after each run:
 * 1. foldEvents(stored events) equals `engine.state` (as JSON), also while writes are in flight;
 *    after a `StoreBrokenError` the state is the replay of what was committed before it, and
 *    every later command rejects;
 * 2. every resolved command's event is stored exactly once; every rejected command left nothing;
 *    a command aborted before its batch formed (before the call, or while queued behind an
 *    append in flight) is dropped and rejects with its abort reason;
 * 3. stored order is call order;
 * 4. no promise is left pending (nothing settling for `idleMs` with nothing scheduled is a hang),
 *    and every call that was not aborted, whose batch had no injected fault and that was valid,
 *    resolves;
 * 5. at most one append is in flight at any moment.
 * Throws fast-check's shrunk counterexample (with seed and path to replay it) on failure.
 */
export async function checkEngine<M = Message>(
  makeEngine: MakeEngine<M>,
  options: CheckEngineOptions<M> = {},
): Promise<void> {
  const parameters: fc.Parameters<[EngineScenario<M>, fc.Scheduler]> = {
    numRuns: options.numRuns ?? fuzzRuns(DEFAULT_ENGINE_RUNS),
    // The violations and the run's timeline belong in the report, whatever the runner prints.
    includeErrorInReport: true,
  };
  if (options.seed !== undefined) parameters.seed = options.seed;
  if (options.path !== undefined) parameters.path = options.path;
  if (options.verbose !== undefined) parameters.verbose = options.verbose;
  await fc.assert(engineProperty(makeEngine, options), parameters);
}
