// @contextlog/core/store: what store and adapter authors need beyond the main entry (which has
// the error classes, the StoredEvent and EventStore types, copyEvents): parsing and checking stored events,
// their schemas and versions, the folds readers replay with, the append and import options.

export {
  createEventParser,
  type EventParser,
  type EventParserOptions,
} from './dialect/event-parser.js';
export {
  createKindResolver,
  DEFAULT_KIND,
  kindAfter,
  type ResolveKind,
  SessionKind,
  unknownParts,
} from './dialect/session-kind.js';
export { canonicalJson, operationFingerprint } from './events/fingerprint.js';
export { deepFreeze } from './events/json.js';
export { checkJsonData, STORED_EVENT_MAX_DEPTH } from './events/json-data.js';
export { isOperationId } from './events/operation-id.js';
export { isEventType, type ParseStoredEventOptions, parseStoredEvent } from './events/parse.js';
export {
  CheckpointMarkSchema,
  type ContextEvent,
  CURRENT_EVENT_VERSION,
  DialectRefSchema,
  EVENT_DATA_SCHEMAS,
  EVENT_TYPES,
  type EventData,
  type EventType,
  eventDataSchemasFor,
  MetadataSchema,
  OperationIdSchema,
  type OperationRecord,
  OperationRecordSchema,
  type SnapshotState,
  SnapshotStateSchema,
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
} from './projection/deprecated.js';
export { createFold, type Fold, foldEvents } from './projection/fold.js';
export { createMessageCounter, type MessageCounter } from './projection/message-counter.js';
export { snapshotStateOf } from './projection/state.js';
export { createSerializer, type Serializer, type SerializerOptions } from './serial/serializer.js';
export {
  type AppendedBatches,
  type AppendInBatchesOptions,
  appendInBatches,
} from './store/append-in-batches.js';
export { checkBatchContinuity } from './store/continuity.js';
export type { AppendOptions, ImportEventsOptions, ImportedEvents } from './store/event-store.js';
export {
  createSnapshotAssembler,
  type SnapshotAssembler,
  type SnapshotAssemblerOptions,
  type SnapshotPartRef,
  SnapshotPartRefSchema,
} from './store/snapshot-assembler.js';
export {
  SNAPSHOT_LINE_CHARS,
  SNAPSHOT_PART_CHARS,
  type SnapshotPart,
  type SnapshotPartsOptions,
  snapshotParts,
  snapshotStateParts,
} from './store/snapshot-parts.js';
