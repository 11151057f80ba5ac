export { CopyMismatchError, CopyTargetNotEmptyError } from './copy-errors.js';
export {
  CheckpointNotFoundError,
  ConcurrencyError,
  ContextBrokenError,
  ContextClosedError,
  ContextlogError,
  CorruptSessionError,
  describeError,
  hasCode,
  QueueFullError,
  StoreBrokenError,
  StoreClosedError,
  UnknownEventError,
  ValidationError,
} from './errors.js';
