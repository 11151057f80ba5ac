export {
  type ContextlogErrorCode,
  type ContextlogErrorCodes,
  codeOf,
  hasCode,
} from './codes.js';
export { HistoryMismatchError, OperationConflictError } from './command-errors.js';
export { CopyMismatchError, CopyTargetNotEmptyError } from './copy-errors.js';
export {
  CheckpointNotFoundError,
  ConcurrencyError,
  ContextBrokenError,
  ContextClosedError,
  ContextlogError,
  CorruptSessionError,
  DialectMismatchError,
  describeError,
  QueueFullError,
  StoreBrokenError,
  StoreClosedError,
  UnknownDialectError,
  UnknownEventError,
  ValidationError,
} from './errors.js';
