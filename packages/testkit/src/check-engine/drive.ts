import type fc from 'fast-check';

export type Driven<T> =
  | { readonly settled: true; readonly ok: true; readonly value: T }
  | { readonly settled: true; readonly ok: false; readonly error: unknown }
  | { readonly settled: false };

const macrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Turns with nothing scheduled and no store I/O running, and the quiet time, before we call it stuck. */
const IDLE_TURNS = 20;
const IDLE_MS = 25;

/**
 * Lets the scheduler release tasks until `promise` settles. If nothing is scheduled, no store
 * I/O is running and nothing settles for a while, the system is stuck: a promise that will
 * never settle, which the caller reports as a liveness failure instead of hanging.
 */
export async function drive<T>(
  scheduler: fc.Scheduler,
  promise: Promise<T>,
  busy: () => boolean,
): Promise<Driven<T>> {
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
  while (!outcome.settled) {
    await macrotask();
    if (outcome.settled) break;
    const count = scheduler.count();
    if (count === 0 && !busy() && lastCount === 0) {
      idleTurns++;
      if (idleTurns >= IDLE_TURNS && Date.now() - idleSince >= IDLE_MS) break;
    } else {
      idleTurns = 0;
      idleSince = Date.now();
    }
    lastCount = count;
  }
  return outcome;
}
