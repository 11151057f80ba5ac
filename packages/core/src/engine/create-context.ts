import { BehaviorSubject, type Observable, Subject } from 'rxjs';
import { type Dialect, kimiDialect } from '../dialect/dialect.js';
import {
  ConcurrencyError,
  ContextBrokenError,
  ContextClosedError,
  hasCode,
  QueueFullError,
  ValidationError,
} from '../errors/index.js';
import type { JsonValue } from '../events/json.js';
import type { Message } from '../events/message.js';
import type { StoredEvent } from '../events/schemas.js';
import { markValidated } from '../events/validated.js';
import { beginBatch } from '../projection/fold.js';
import { type ContextState, fieldsOf } from '../projection/state.js';
import type { EventStore } from '../store/event-store.js';
import { type BuildEvent, createEventBuilders } from './event-builders.js';
import { replaceGuardOf } from './history-guard.js';
import { type CommandOperation, operationOf, type Repeat, repeatOf } from './operation-ids.js';
import { openSessionKind } from './session-kind-check.js';
import type {
  CheckpointOptions,
  CommandOptions,
  CompactOptions,
  ContextEngine,
  ContextOptions,
  EngineStats,
  ReplaceOptions,
} from './types.js';

/** A command's state is in fields, not closures: an engine under load queues thousands. */
interface QueuedCommand {
  readonly kind: 'command';
  readonly build: BuildEvent;
  /** Settle the caller's promise. */
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  /** What the caller gets for the committed event; without it, `undefined`. */
  readonly result: ((event: StoredEvent) => unknown) | undefined;
  readonly signal: AbortSignal | undefined;
  /** Its operation id, if it has one. */
  readonly operation: CommandOperation | undefined;
  /** The abort listener while the command waits in the queue. */
  onAbort: (() => void) | undefined;
}

/** The command leaves the queue: from then on an abort changes nothing. */
function detach(command: QueuedCommand): void {
  const { signal, onAbort } = command;
  if (signal === undefined || onAbort === undefined) return;
  command.onAbort = undefined;
  signal.removeEventListener('abort', onAbort);
}

function fulfil(command: QueuedCommand, event: StoredEvent): void {
  command.resolve(command.result === undefined ? undefined : command.result(event));
}

/**
 * Settles the commands of a batch that repeated a remembered operation id. `failure`: the batch's
 * write failed, so a repeat of a command of that same batch fails with it.
 */
function settleRepeats(
  repeats: readonly (readonly [QueuedCommand, Repeat])[],
  failure?: { readonly error: unknown },
): void {
  for (const [command, repeat] of repeats) {
    if (failure !== undefined && repeat.inBatch) command.reject(failure.error);
    else command.resolve(repeat.result);
  }
}

/**
 * `reload()` or `close()`: runs alone, once the commands queued before it are written. A close is
 * always the last entry, since nothing is accepted once it is queued.
 */
interface QueuedControl {
  readonly kind: 'reload' | 'close';
  /** Does the work and settles the caller's promise; never rejects. */
  readonly run: () => Promise<void>;
}

type QueueEntry = QueuedCommand | QueuedControl;

const DEFAULT_MAX_PENDING = 10_000;

/**
 * Opens a context engine on `store`: replays what it holds, then serves commands through one
 * serialized pipeline. State moves only after the store has committed a batch.
 */
export async function createContext<M = Message>(
  store: EventStore,
  options: ContextOptions<M> = {},
): Promise<ContextEngine<M>> {
  const maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
  if (!Number.isSafeInteger(maxPending) || maxPending < 1) {
    throw new ValidationError(
      `maxPending: expected a positive integer, got ${maxPending}`,
      'maxPending',
    );
  }
  const clock = options.clock ?? (() => new Date());
  const dialect = (options.dialect ?? kimiDialect) as Dialect<M>;

  // Replays the store checking its messages with the dialect, and declares the dialect in a new
  // session that is not kimi-cli's; refuses a session of another dialect.
  const session = await openSessionKind(store, dialect, options.estimator, clock);
  const { resolve, load } = session;
  const state$ = new BehaviorSubject<ContextState>(session.state);
  const build = createEventBuilders(dialect, () => fieldsOf(state$.getValue()).kind);
  const events$ = new Subject<StoredEvent>();

  let queue: QueueEntry[] = [];
  let closing = false;
  let broken: ContextBrokenError | undefined;
  let stale: ConcurrencyError | undefined;
  let inFlight = 0;
  let batchesWritten = 0;
  let eventsWritten = 0;
  let lastBatchSize = 0;
  let lastAppendLatencyMs = 0;

  // One drain at a time: the next starts only when the previous write has settled. A drain takes
  // whatever is queued then (group commit), so no timer decides batch sizes. An idle engine starts
  // a drain at once, inside the call that queued the command; the callers a commit resumes queue
  // their next commands before the loop looks again, so those form the next batch. This is a
  // plain loop, not core's `createSerializer` (serial/serializer.ts): at most one drain ever
  // waits, and the commands wait in `queue`, where a drain takes them as a batch and an abort
  // takes one out. (It was an RxJS `concatMap` of drains, whose Observable layers cost a few µs
  // of each durable append's latency.)
  let draining = false;
  let closed = false;
  const requestDrain = () => {
    if (draining || closed || queue.length === 0) return;
    draining = true;
    void drainLoop();
  };
  async function drainLoop(): Promise<void> {
    try {
      while (queue.length > 0 && !closed) {
        // drain() settles every promise itself; the catch only keeps the loop going if a
        // subscriber's exception escapes.
        await drain().catch(() => undefined);
      }
    } finally {
      draining = false;
    }
  }

  /** Why a command cannot be accepted or written now, if it cannot. */
  const refusal = (): Error | undefined => {
    if (broken !== undefined) return broken;
    if (closing) return new ContextClosedError();
    return stale;
  };

  async function drain(): Promise<void> {
    const first = queue[0];
    if (first === undefined) return;
    if (first.kind !== 'command') {
      queue.shift();
      await first.run();
    } else {
      let end = 0;
      while (end < queue.length && queue[end]?.kind === 'command') end++;
      // Usually the whole queue is one batch: take the array itself instead of copying it out.
      let batch: QueuedCommand[];
      if (end === queue.length) {
        batch = queue as QueuedCommand[];
        queue = [];
      } else {
        batch = queue.splice(0, end) as QueuedCommand[];
      }
      try {
        await writeBatch(batch);
      } catch (error) {
        // Whatever went wrong outside the store (a clock that throws …), no command of the batch
        // may be left pending: a promise settles once, so those already settled stay as they are.
        for (const command of batch) command.reject(error);
      }
    }
  }

  async function writeBatch(commands: readonly QueuedCommand[]): Promise<void> {
    for (const command of commands) detach(command);
    const blocked = broken ?? stale;
    if (blocked !== undefined) {
      for (const command of commands) command.reject(blocked);
      return;
    }
    const before = state$.getValue();
    const now = clock();
    if (!(now instanceof Date) || Number.isNaN(now.getTime())) {
      throw new ValidationError(`clock: expected a valid Date, got ${String(now)}`, 'clock');
    }
    const at = now.toISOString();
    const events: StoredEvent[] = [];
    const members: QueuedCommand[] = [];
    const repeats: (readonly [QueuedCommand, Repeat])[] = [];
    const batchStart = fieldsOf(before).operations.end;
    // The whole batch folds in one immer draft; the state it gives becomes the engine's only once
    // the store has committed the batch, and is dropped if it does not.
    const batch = beginBatch(before, resolve);
    const { fold } = batch;
    for (const command of commands) {
      try {
        const { operation } = command;
        const repeat = operation === undefined ? undefined : repeatOf(fold, operation, batchStart);
        if (repeat !== undefined) {
          repeats.push([command, repeat]);
          continue;
        }
        const built = command.build(fold);
        // An explicit literal in the stored key order (not a spread): the file store writes
        // the event as it is, and its line must read as every line before it did (`op` last,
        // and only when there is one).
        const event = Object.freeze(
          operation === undefined
            ? { seq: fold.seq + 1, type: built.type, v: built.v, at, data: built.data }
            : {
                seq: fold.seq + 1,
                type: built.type,
                v: built.v,
                at,
                data: built.data,
                op: operation.id,
              },
        ) as StoredEvent;
        fold.apply(event);
        events.push(event);
        members.push(command);
      } catch (error) {
        command.reject(error);
      }
    }
    if (events.length === 0) {
      settleRepeats(repeats);
      return;
    }

    inFlight = members.length;
    const started = performance.now();
    let after: ContextState;
    try {
      // The batch is frozen and marked: stores need not validate it again (events/validated.ts).
      const written = store.append(markValidated(events), { expectedSeq: before.seq });
      // The draft is finished while the write is in flight (the store's I/O has started), off the
      // path from a durable write's completion to the callers hearing of it.
      after = batch.finish();
      await written;
    } catch (error) {
      if (hasCode(error, 'STORE_BROKEN')) broken = new ContextBrokenError(error);
      else if (hasCode(error, 'CONCURRENCY')) {
        stale =
          error instanceof ConcurrencyError
            ? error
            : new ConcurrencyError(before.seq, Number.NaN, (error as Error).message);
      }
      for (const command of members) command.reject(error);
      settleRepeats(repeats, { error });
      return;
    } finally {
      inFlight = 0;
      lastAppendLatencyMs = performance.now() - started;
    }
    batchesWritten++;
    eventsWritten += events.length;
    lastBatchSize = events.length;
    state$.next(after);
    // `observed`: a Subject copies its observer list on every `next`, even an empty one.
    for (const event of events) if (events$.observed) events$.next(event);
    for (let index = 0; index < members.length; index++) {
      fulfil(members[index] as QueuedCommand, events[index] as StoredEvent);
    }
    settleRepeats(repeats);
  }

  function enqueue<R = void>(
    makeBuild: () => BuildEvent,
    options: CommandOptions | undefined,
    result?: (event: StoredEvent) => R,
  ): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const refused = refusal();
      if (refused !== undefined) return reject(refused);
      const signal = options?.signal;
      if (signal?.aborted) return reject(signal.reason);
      if (queue.length >= maxPending) return reject(new QueueFullError(maxPending));
      let build: BuildEvent;
      let operation: CommandOperation | undefined;
      try {
        build = makeBuild();
        operation = operationOf(options, build);
      } catch (error) {
        return reject(error);
      }
      const command: QueuedCommand = {
        kind: 'command',
        build,
        resolve: resolve as (value: unknown) => void,
        reject,
        result,
        signal,
        operation,
        onAbort: undefined,
      };
      if (signal !== undefined) {
        const onAbort = () => {
          const index = queue.indexOf(command);
          if (index === -1) return;
          queue.splice(index, 1);
          reject(signal.reason);
        };
        command.onAbort = onAbort;
        signal.addEventListener('abort', onAbort, { once: true });
      }
      queue.push(command);
      requestDrain();
    });
  }

  /** Queues a reload or the close behind the commands already waiting. */
  function control<R>(kind: QueuedControl['kind'], run: () => Promise<R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      queue.push({
        kind,
        run: () => run().then(resolve, reject),
      });
      requestDrain();
    });
  }

  let closePromise: Promise<void> | undefined;

  // The states hold messages of the dialect, which validated every one of them: typed as `M` here.
  const engine: ContextEngine<M> = {
    get state() {
      return state$.getValue() as unknown as ContextState<M>;
    },
    state$: state$.asObservable() as unknown as Observable<ContextState<M>>,
    events$: events$.asObservable(),

    setSystemPrompt: (prompt, options) => enqueue(() => build.systemPrompt(prompt), options),

    appendMessages(messages: M | readonly M[], options?: CommandOptions) {
      const list = Array.isArray(messages) ? (messages as readonly M[]) : [messages as M];
      if (list.length === 0) {
        const refused = refusal();
        if (refused !== undefined) return Promise.reject(refused);
        if (options?.signal?.aborted) return Promise.reject(options.signal.reason);
        return Promise.resolve();
      }
      return enqueue(() => build.messages(list), options);
    },

    recordUsage: (tokenCount, options) => enqueue(() => build.usage(tokenCount), options),

    checkpoint: (options?: CheckpointOptions) =>
      enqueue(
        () => build.checkpoint(options?.addUserMessage ?? false),
        options,
        (event) => (event.type === 'checkpoint.created' ? event.data.id : Number.NaN),
      ),

    revertTo: (checkpointId, options) => enqueue(() => build.revert(checkpointId), options),

    clear: (options) => enqueue(build.clear, options),

    compact: (messages: readonly M[], options?: CompactOptions) =>
      enqueue(() => build.compaction(messages, options?.tokenCount), options),

    setMetadata: (key: string, value: JsonValue, options?: CommandOptions) =>
      enqueue(() => build.metadata(key, value), options),

    replaceMessages: (from: number, messages: readonly M[], options?: ReplaceOptions<M>) =>
      enqueue(
        () =>
          build.replaceMessages(
            from,
            messages,
            replaceGuardOf(options?.expectedSuffix, dialect.schema),
          ),
        options,
      ),

    replaceMessage: (index: number, message: M, options?: CommandOptions) =>
      enqueue(() => build.replaceMessage(index, message), options),

    reload(): Promise<ContextState<M>> {
      if (broken !== undefined) return Promise.reject(broken);
      if (closing) return Promise.reject(new ContextClosedError());
      return control('reload', async () => {
        if (broken !== undefined) throw broken;
        // Events another writer committed reach events$ too, so a follower of it stays in step.
        const knownSeq = state$.getValue().seq;
        const loaded: StoredEvent[] = [];
        const state = await load((event) => {
          if (event.seq > knownSeq) loaded.push(event);
        });
        stale = undefined;
        state$.next(state);
        for (const event of loaded) events$.next(event);
        return state as unknown as ContextState<M>;
      });
    },

    close() {
      closePromise ??= (() => {
        closing = true;
        return control('close', async () => {
          try {
            await store.close();
          } finally {
            closed = true;
            state$.complete();
            events$.complete();
          }
        });
      })();
      return closePromise;
    },

    stats(): EngineStats {
      return {
        queueDepth: queue.filter((entry) => entry.kind === 'command').length,
        inFlight,
        batchesWritten,
        eventsWritten,
        lastBatchSize,
        lastAppendLatencyMs,
        status: closing ? 'closed' : broken ? 'broken' : stale ? 'stale' : 'open',
      };
    },
  };
  return engine;
}
