import type { HistoryMismatchError, OperationConflictError } from './command-errors.js';
import type { CopyMismatchError, CopyTargetNotEmptyError } from './copy-errors.js';
import type {
  CheckpointNotFoundError,
  ConcurrencyError,
  ContextBrokenError,
  ContextClosedError,
  CorruptSessionError,
  DialectMismatchError,
  QueueFullError,
  StoreBrokenError,
  StoreClosedError,
  UnknownDialectError,
  UnknownEventError,
  ValidationError,
} from './errors.js';

/**
 * The one table of error codes: each code a contextlog error may carry, mapped to the error
 * that carries it. A package with errors of its own adds its codes by declaration merging, so
 * `hasCode` and the CLI's table know them too:
 *
 *     declare module '@contextlog/core' {
 *       interface ContextlogErrorCodes { MY_CODE: MyError }
 *     }
 */
export interface ContextlogErrorCodes {
  VALIDATION: ValidationError;
  CHECKPOINT_NOT_FOUND: CheckpointNotFoundError;
  UNKNOWN_EVENT: UnknownEventError;
  CONTEXT_CLOSED: ContextClosedError;
  CONTEXT_BROKEN: ContextBrokenError;
  STORE_BROKEN: StoreBrokenError;
  CONCURRENCY: ConcurrencyError;
  QUEUE_FULL: QueueFullError;
  STORE_CLOSED: StoreClosedError;
  CORRUPT_SESSION: CorruptSessionError;
  DIALECT_MISMATCH: DialectMismatchError;
  UNKNOWN_DIALECT: UnknownDialectError;
  COPY_TARGET_NOT_EMPTY: CopyTargetNotEmptyError;
  COPY_MISMATCH: CopyMismatchError;
  HISTORY_MISMATCH: HistoryMismatchError;
  OPERATION_CONFLICT: OperationConflictError;
}

/** A code of a contextlog error: core's and every package's that extends `ContextlogErrorCodes`. */
export type ContextlogErrorCode = keyof ContextlogErrorCodes;

/**
 * The `code` of an error, whatever made it: a contextlog error's (from any copy of the
 * packages, which `instanceof` would not recognise), a system error's (`'ENOENT'`), a
 * PostgreSQL server's SQLSTATE (`'42P01'`). `undefined` when it has no string code.
 */
export function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code } = error as { code?: unknown };
  return typeof code === 'string' ? code : undefined;
}

/**
 * True when `error` is a contextlog error with this code, whichever copy of the packages made
 * it. Only the codes of `ContextlogErrorCodes` are accepted (a misspelt one does not compile);
 * compare `codeOf(error)` for a system error's code.
 */
export function hasCode<C extends ContextlogErrorCode>(
  error: unknown,
  code: C,
): error is ContextlogErrorCodes[C] {
  return codeOf(error) === code;
}
