import { hasCode } from '../errors/codes.js';
import { CopyMismatchError, CopyTargetNotEmptyError } from '../errors/copy-errors.js';
import { ValidationError } from '../errors/errors.js';
import { createFold, type Fold, foldEvents } from '../projection/fold.js';
import type { ContextState } from '../projection/state.js';
import { stateDigest } from '../projection/state-digest.js';
import { appendInBatches } from './append-in-batches.js';
import type { EventSource, EventStore } from './event-store.js';

export interface CopyEventsOptions {
  /** Events per append (default 1000). */
  readonly batchSize?: number;
  /** The source and target as messages name them (default "the source", "the target"). */
  readonly sourceName?: string;
  readonly targetName?: string;
}

export interface CopyEventsResult {
  readonly events: number;
  /** The last seq copied (the seq numbers are kept). */
  readonly lastSeq: number;
  /** The replayed state, equal on both sides (checked after the copy). */
  readonly state: ContextState;
}

/**
 * Copies the log of `from` into `to`, which must hold no events (`CopyTargetNotEmptyError`),
 * keeping its seq numbers (a log that starts with a snapshot stays so), streaming `from` in
 * batches of `batchSize`. A target with `importEvents` stores the log all or nothing (the
 * PostgreSQL store in one transaction, the file store under its lock); into any other the
 * batches are appended one after the other, and a failure leaves those already appended.
 * Afterwards `to` is replayed and its state must equal the source's (`CopyMismatchError`),
 * unless its `importEvents` checked that it stored every event as given (`ImportedEvents`): then
 * the source's state is the target's. Neither store is closed. Memory holds one state at a time:
 * the source's is compared by its digest (`stateDigest`), and let go before the target is
 * replayed.
 */
export async function copyEvents(
  from: EventSource,
  to: EventStore,
  options: CopyEventsOptions = {},
): Promise<CopyEventsResult> {
  const batchSize = options.batchSize ?? 1000;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new ValidationError(
      `batchSize: expected a positive integer, got ${batchSize}`,
      'batchSize',
    );
  }
  const sourceName = options.sourceName ?? 'the source';
  const targetName = options.targetName ?? 'the target';
  let fold: Fold | undefined = createFold();
  let count = 0;
  let drained = false;
  const counted = async function* () {
    for await (const event of from.load()) {
      fold?.apply(event);
      count++;
      yield event;
    }
    drained = true;
  };
  let checked = false;
  if (to.importEvents !== undefined) {
    try {
      const imported = await to.importEvents(counted(), { batchSize, source: from });
      checked = imported?.checked === true;
    } catch (error) {
      // The store names itself its own way; the caller's name is the one its user knows.
      if (hasCode(error, 'COPY_TARGET_NOT_EMPTY') && options.targetName !== undefined) {
        throw new CopyTargetNotEmptyError(targetName, { cause: error });
      }
      throw error;
    }
  } else {
    if (!(await isEmpty(to))) throw new CopyTargetNotEmptyError(targetName);
    await appendInBatches(to, counted(), batchSize);
  }
  // A target that stopped reading early would match the part it read: the whole source counts.
  if (!drained) {
    throw new CopyMismatchError(
      `${targetName}: the copy stopped reading ${sourceName} after ${count} events`,
    );
  }
  const lastSeq = fold.seq;
  // The target stored every event as it was given: it replays as the source did.
  if (checked) return { events: count, lastSeq, state: fold.state };
  const digest = stateDigest(fold.state);
  fold = undefined;
  const state = await foldEvents(to.load());
  if (stateDigest(state) !== digest) {
    throw new CopyMismatchError(
      `${targetName}: the copy replays to another state than ${sourceName}`,
    );
  }
  // Equal to the source's: the target's is the one still in memory.
  return { events: count, lastSeq, state };
}

async function isEmpty(store: EventSource): Promise<boolean> {
  for await (const _event of store.load()) return false;
  return true;
}
