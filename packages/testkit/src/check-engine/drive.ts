import type fc from 'fast-check';

export type Driven<T> =
  | { readonly settled: true; readonly ok: true; readonly value: T }
  | { readonly settled: true; readonly ok: false; readonly error: unknown }
  | { readonly settled: false };

/** How long the driver waits, by default, with nothing scheduled before it calls a run stuck. */
export const DEFAULT_IDLE_MS = 2000;

/** Idle turns checked at once before the driver slows to polling, and the polling interval. */
const FAST_TURNS = 20;
const POLL_MS = 5;

export interface DriveWatch {
  /** Whether store I/O the scheduler cannot see is running. */
  readonly busy: () => boolean;
  /** A count that grows whenever something observable happens (a call settles, an append starts …). */
  readonly progress: () => number;
  /** Milliseconds with nothing scheduled, no I/O and no progress before the run is stuck. */
  readonly idleMs?: number;
}

const macrotask = () => new Promise<void>((resolve) => setImmediate(resolve));
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Lets the scheduler release tasks until `promise` settles. An engine may do real async work the
 * scheduler cannot see (a timer, a network call, a file store's I/O), so only when nothing is
 * scheduled, no store I/O is running and nothing settles for `idleMs` is the system stuck: a
 * promise that will never settle, which the caller reports as a liveness failure instead of
 * hanging. The wait costs time only when there really is a hang.
 */
export async function drive<T>(
  scheduler: fc.Scheduler,
  promise: Promise<T>,
  watch: DriveWatch,
): Promise<Driven<T>> {
  const { busy, progress, idleMs = DEFAULT_IDLE_MS } = watch;
  let outcome: Driven<T> = { settled: false };
  const watched = promise.then(
    (value) => {
      outcome = { settled: true, ok: true, value };
    },
    (error: unknown) => {
      outcome = { settled: true, ok: false, error };
    },
  );
  void scheduler.waitFor(watched).catch(() => undefined);
  let idleTurns = 0;
  let idleSince = Date.now();
  let lastCount = -1;
  let lastProgress = progress();
  while (!outcome.settled) {
    // Spin on macrotasks while things move; once idle for a while, poll on a timer so a long
    // wait for invisible work does not burn a core.
    await (idleTurns < FAST_TURNS ? macrotask() : pause(POLL_MS));
    if (outcome.settled) break;
    const count = scheduler.count();
    const moved = progress();
    if (count === 0 && !busy() && lastCount === 0 && moved === lastProgress) {
      idleTurns++;
      if (idleTurns >= FAST_TURNS && Date.now() - idleSince >= idleMs) break;
    } else {
      idleTurns = 0;
      idleSince = Date.now();
    }
    lastCount = count;
    lastProgress = moved;
  }
  return outcome;
}
