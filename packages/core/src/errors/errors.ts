import type { ContextlogErrorCode } from './codes.js';

/**
 * Every error contextlog raises on purpose is a `ContextlogError` with a stable `code`, so callers
 * (and the testkit, which may see another copy of this module) can branch on `error.code` without
 * relying on `instanceof`.
 */
export abstract class ContextlogError extends Error {
  abstract readonly code: ContextlogErrorCode;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A command, message or event does not match its schema; `path` names the field. */
export class ValidationError extends ContextlogError {
  readonly code = 'VALIDATION';
  constructor(
    message: string,
    readonly path: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** `revertTo(id)` names a checkpoint that is not a live mark. */
export class CheckpointNotFoundError extends ContextlogError {
  readonly code = 'CHECKPOINT_NOT_FOUND';
  constructor(
    readonly checkpointId: number,
    readonly liveIds: readonly number[],
  ) {
    super(
      `checkpoint ${checkpointId} does not exist (live checkpoints: ${
        liveIds.length === 0 ? 'none' : liveIds.join(', ')
      })`,
    );
  }
}

/** An event type or version this reader does not know: never dropped silently. */
export class UnknownEventError extends ContextlogError {
  readonly code = 'UNKNOWN_EVENT';
  constructor(
    readonly type: string,
    readonly version: number,
    reason: string,
  ) {
    super(reason);
  }
}

/** The engine was closed; no command is accepted any more. */
export class ContextClosedError extends ContextlogError {
  readonly code = 'CONTEXT_CLOSED';
  constructor() {
    super('the context is closed');
  }
}

/** A store reported a partial write it could not undo; the engine refuses all further commands. */
export class ContextBrokenError extends ContextlogError {
  readonly code = 'CONTEXT_BROKEN';
  constructor(cause: unknown) {
    super(
      `the context is broken: its store failed in a way it could not undo (${describeError(cause)}); reopen the session`,
      { cause },
    );
  }
}

/** A store whose log may hold a partial write: nothing may be appended after it. */
export class StoreBrokenError extends ContextlogError {
  readonly code = 'STORE_BROKEN';
}

/** Another writer moved the log: the writer's `expectedSeq` is stale (or ahead). */
export class ConcurrencyError extends ContextlogError {
  readonly code = 'CONCURRENCY';
  constructor(
    readonly expectedSeq: number,
    readonly actualSeq: number,
    detail?: string,
  ) {
    super(
      detail ??
        `expected the log to end at seq ${expectedSeq} but it ends at seq ${actualSeq}: another writer moved it; reload() to continue`,
    );
  }
}

/** More than `maxPending` commands are waiting to be written. */
export class QueueFullError extends ContextlogError {
  readonly code = 'QUEUE_FULL';
  constructor(readonly maxPending: number) {
    super(`more than ${maxPending} commands are waiting to be written`);
  }
}

// Alike ContextClosedError: one class per code, so instanceof and hasCode tell them apart.
/** The store was closed. */
export class StoreClosedError extends ContextlogError {
  readonly code = 'STORE_CLOSED';
  constructor() {
    super('the store is closed');
  }
}

/** Stored data that cannot be replayed: says where (source, line, byte offset) and why. */
export class CorruptSessionError extends ContextlogError {
  readonly code = 'CORRUPT_SESSION';
  constructor(
    readonly source: string,
    readonly line: number | undefined,
    readonly offset: number | undefined,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(
      `${source}${line === undefined ? '' : `:${line}`}${
        offset === undefined ? '' : ` (byte ${offset})`
      }: ${reason}`,
      options,
    );
  }
}

/**
 * A session was opened with another dialect (or estimator) than the one it declared: its messages
 * would be checked and counted by the wrong rules.
 */
export class DialectMismatchError extends ContextlogError {
  readonly code = 'DIALECT_MISMATCH';
  constructor(
    readonly what: 'dialect' | 'estimator',
    readonly declared: string,
    readonly requested: string,
  ) {
    super(
      `the session's ${what} is ${declared}, but it was opened with ${requested}: open it with its own ${what}`,
    );
  }
}

/**
 * Work that needs the code of a session's dialect (a snapshot: it stores the pending text the
 * dialect measures) on a session whose dialect this reader was not given.
 */
export class UnknownDialectError extends ContextlogError {
  readonly code = 'UNKNOWN_DIALECT';
  constructor(
    readonly dialect: string,
    readonly task: string,
  ) {
    super(
      `${task} needs the session's dialect ${dialect}, which is not known here: pass it in \`dialects\``,
    );
  }
}

/** The message of an error, or the value as text. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
