// The public API of @contextlog/core.

export { createContext } from './engine/create-context.js';
export type {
  CheckpointOptions,
  CommandOptions,
  CompactOptions,
  ContextEngine,
  ContextOptions,
  EngineStats,
} from './engine/types.js';
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
} from './errors/index.js';
export { deepFreeze, type JsonValue, JsonValueSchema } from './events/json.js';
export { checkJsonData, STORED_EVENT_MAX_DEPTH } from './events/json-data.js';
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
export { isEventType, type ParseStoredEventOptions, parseStoredEvent } from './events/parse.js';
export {
  type CheckpointMark,
  CheckpointMarkSchema,
  type ContextEvent,
  CURRENT_EVENT_VERSION,
  EVENT_DATA_SCHEMAS,
  EVENT_TYPES,
  type EventData,
  type EventType,
  MetadataSchema,
  type SnapshotState,
  SnapshotStateSchema,
  type StoredEvent,
  StoredEventSchema,
} from './events/schemas.js';
export { isValidatedBatch } from './events/validated.js';
export { formatPath, toValidationError } from './events/zod-issues.js';
export {
  createReplayer,
  project,
  type Replayer,
  replay,
  replayAsync,
  snapshotStateOf,
  stateToJson,
} from './projection/project.js';
export { type ContextState, initialState, messageCount } from './projection/state.js';
export { createSerializer, type Serializer, type SerializerOptions } from './serial/serializer.js';
export { checkBatchContinuity } from './store/continuity.js';
export type { AppendOptions, EventStore } from './store/event-store.js';
export { createMemoryStore, type MemoryEventStore } from './store/memory-store.js';
