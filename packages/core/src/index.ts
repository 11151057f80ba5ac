// The public API of @contextlog/core, for agent authors. What store and adapter authors need
// beyond it (parsing and checking stored events, the folds, the EventStore interface) is in
// @contextlog/core/store (src/store-api.ts).

export { asIsSchema } from './dialect/as-is-schema.js';
export {
  type Dialect,
  type DialectRef,
  defineDialect,
  kimiDialect,
} from './dialect/dialect.js';
export { defineEstimator, kimiEstimator, type TokenEstimator } from './dialect/estimator.js';
export type { DialectOptions } from './dialect/session-kind.js';
export { createContext } from './engine/create-context.js';
export type {
  CheckpointOptions,
  CommandOptions,
  CompactOptions,
  ContextEngine,
  ContextOptions,
  EngineStats,
  ReplaceOptions,
} from './engine/types.js';
export {
  CheckpointNotFoundError,
  ConcurrencyError,
  ContextBrokenError,
  ContextClosedError,
  ContextlogError,
  type ContextlogErrorCode,
  type ContextlogErrorCodes,
  CopyMismatchError,
  CopyTargetNotEmptyError,
  CorruptSessionError,
  codeOf,
  DialectMismatchError,
  describeError,
  HistoryMismatchError,
  hasCode,
  OperationConflictError,
  QueueFullError,
  StoreBrokenError,
  StoreClosedError,
  UnknownDialectError,
  UnknownEventError,
  ValidationError,
} from './errors/index.js';
export { type JsonValue, JsonValueSchema } from './events/json.js';
export {
  type AudioUrlPart,
  AudioUrlPartSchema,
  type ContentPart,
  ContentPartSchema,
  checkpointMessage,
  codePointLength,
  type ImageUrlPart,
  ImageUrlPartSchema,
  KNOWN_PART_TYPES,
  type Message,
  MessageSchema,
  type Role,
  RoleSchema,
  type TextPart,
  TextPartSchema,
  type ThinkPart,
  ThinkPartSchema,
  type ToolCall,
  ToolCallSchema,
  textLength,
  UnknownPartSchema,
  type VideoUrlPart,
  VideoUrlPartSchema,
} from './events/message.js';
export type { CheckpointMark, OperationRecord, StoredEvent } from './events/schemas.js';
export { MAX_OPERATION_IDS } from './projection/operations.js';
export {
  type ContextState,
  initialState,
  messageCount,
  stateToJson,
} from './projection/state.js';
export {
  type CopyEventsOptions,
  type CopyEventsResult,
  copyEvents,
} from './store/copy-events.js';
export type { EventSource, EventStore } from './store/event-store.js';
export {
  createMemoryStore,
  type MemoryEventStore,
  type MemoryStoreOptions,
  openMemoryStore,
} from './store/memory-store.js';
