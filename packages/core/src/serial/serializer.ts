import { concatMap, Subject } from 'rxjs';

/**
 * Runs tasks one at a time, in call order: the one primitive behind the engine's drain, the file
 * store's appends, the PGlite client's single connection and the bench's locked writer.
 */
export interface Serializer {
  /**
   * Runs `task` once every task submitted before it has settled, and settles as it does. A task's
   * error goes to its own caller only: the tasks after it still run. A call made from inside a
   * running task waits for that task to settle. Refused (with `closedError()`) after `close()`.
   */
  run<T>(task: () => T | PromiseLike<T>): Promise<T>;
  /**
   * Takes a turn and holds it until the returned function is called (calling it again does
   * nothing): for a turn whose end another party decides, such as a connection handed out.
   */
  acquire(): Promise<() => void>;
  /**
   * Refuses every later `run`; the tasks submitted before it still run, in order, then `last`.
   * Resolves (or rejects) as `last` does, once the queue is empty. Calling it again returns the
   * same promise. A task that awaits `close()` waits for itself: never do that.
   */
  close(last?: () => PromiseLike<void>): Promise<void>;
}

export interface SerializerOptions {
  /** What a `run` (or `acquire`) called after `close()` rejects with. */
  readonly closedError: () => unknown;
}

/**
 * A queue entry. A task's caller gets the task's own promise when it starts at once (`started`),
 * or a promise settled through `resolve`/`reject` when it had to wait.
 */
type Entry =
  | {
      readonly kind: 'task';
      readonly task: () => unknown;
      started: Promise<unknown> | undefined;
      resolve: ((value: unknown) => void) | undefined;
      reject: ((error: unknown) => void) | undefined;
    }
  | {
      readonly kind: 'close';
      readonly last: (() => PromiseLike<void>) | undefined;
      readonly resolve: () => void;
      readonly reject: (error: unknown) => void;
    };

const ignore = (): void => {};

/** Calls `task` and gives its outcome as a promise, a synchronous throw included. */
function call(task: () => unknown): Promise<unknown> {
  try {
    return Promise.resolve(task());
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Built on RxJS `concatMap`, which calls its project function only once the previous inner has
 * completed, and synchronously when nothing runs: an idle `run` starts its task at once and hands
 * back the task's own promise (a hop through the microtask queue first cost ~4 µs of each durable
 * append's latency). Each inner promise never rejects, since an error would end the pipeline for
 * good and leave every later caller waiting; a task's outcome reaches its caller on the side.
 */
export function createSerializer(options: SerializerOptions): Serializer {
  const entries$ = new Subject<Entry>();
  let closing: Promise<void> | undefined;

  entries$
    .pipe(
      concatMap((entry): Promise<unknown> => {
        if (entry.kind === 'close') {
          const done = entry.last === undefined ? Promise.resolve() : call(entry.last);
          return done.then(entry.resolve, entry.reject).finally(() => entries$.complete());
        }
        const outcome = call(entry.task);
        // `resolve` is set only when the entry waited: `run` returned before it started.
        if (entry.resolve === undefined) entry.started = outcome;
        else outcome.then(entry.resolve, entry.reject);
        return outcome.then(ignore, ignore);
      }),
    )
    .subscribe();

  const serializer: Serializer = {
    run<T>(task: () => T | PromiseLike<T>): Promise<T> {
      if (closing !== undefined) return Promise.reject(options.closedError());
      const entry: Entry = {
        kind: 'task',
        task,
        started: undefined,
        resolve: undefined,
        reject: undefined,
      };
      entries$.next(entry);
      if (entry.started !== undefined) return entry.started as Promise<T>;
      return new Promise<T>((resolve, reject) => {
        entry.resolve = resolve as (value: unknown) => void;
        entry.reject = reject;
      });
    },

    acquire() {
      return new Promise<() => void>((resolve, reject) => {
        serializer
          .run(
            () =>
              new Promise<void>((release) => {
                resolve(() => release());
              }),
          )
          .catch(reject);
      });
    },

    close(last) {
      closing ??= new Promise<void>((resolve, reject) => {
        entries$.next({ kind: 'close', last, resolve, reject });
      });
      return closing;
    },
  };
  return serializer;
}
