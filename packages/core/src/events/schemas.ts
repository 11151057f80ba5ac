import { z } from 'zod';
import { JsonValueSchema } from './json.js';
import { MessageSchema } from './message.js';
import { OperationIdSchema } from './operation-id.js';

export { OperationIdSchema };

const count = () => z.number().int().nonnegative();

export const CheckpointMarkSchema = z.object({
  id: count(),
  /** History length when the checkpoint was taken (before its CHECKPOINT message, if any). */
  messageCount: count(),
  tokenCount: count(),
  pendingTextLength: count(),
});
export type CheckpointMark = z.infer<typeof CheckpointMarkSchema>;

export const MetadataSchema = z.record(z.string(), JsonValueSchema);

/** An applied operation id as a state remembers it (see projection/operations.ts). */
export const OperationRecordSchema = z.object({
  id: OperationIdSchema,
  /** `operationFingerprint` of the command: its type and data, key order ignored. */
  fingerprint: z.string(),
  /** What the command returned (a checkpoint's id); absent for commands that return nothing. */
  result: JsonValueSchema.optional(),
});
export type OperationRecord = z.infer<typeof OperationRecordSchema>;

/**
 * The whole state as `state.snapshotted` carries it: a serialized `ContextState`. The derived
 * fields may be present (older snapshots hold them; `snapshotStateOf` leaves them out) but are
 * recomputed on replay, so a snapshot can never disagree with itself. Being ignored, they are only
 * checked to be numbers: the `tokenCountWithPending` of a reachable state can pass 2^53.
 */
export const SnapshotStateSchema = z.object({
  systemPrompt: z.string().nullable(),
  messages: z.array(MessageSchema),
  tokenCount: count(),
  pendingTextLength: count(),
  nextCheckpointId: count(),
  checkpoints: z.array(CheckpointMarkSchema),
  metadata: MetadataSchema,
  pendingTokenEstimate: z.number().optional(),
  tokenCountWithPending: z.number().optional(),
  seq: count().optional(),
  /** The operation ids the state remembers, oldest first (absent in snapshots without any). */
  operations: z.array(OperationRecordSchema).optional(),
});
export type SnapshotState = z.infer<typeof SnapshotStateSchema>;

/** The data schema of each event type at its current version. */
export const EVENT_DATA_SCHEMAS = {
  'system_prompt.set': z.object({ prompt: z.string() }),
  'messages.appended': z.object({ messages: z.array(MessageSchema).min(1) }),
  'usage.recorded': z.object({ tokenCount: count() }),
  'checkpoint.created': z.object({ id: count(), addUserMessage: z.boolean() }),
  'context.reverted': z.object({ checkpointId: count() }),
  'context.cleared': z.object({}),
  'context.compacted': z.object({
    messages: z.array(MessageSchema),
    tokenCount: count().optional(),
  }),
  'metadata.set': z.object({
    // "__proto__" would be a prototype change, not a key, in every JavaScript object that holds it.
    key: z
      .string()
      .min(1)
      .refine((key) => key !== '__proto__', '"__proto__" cannot be a metadata key'),
    value: JsonValueSchema,
  }),
  'state.snapshotted': z.object({ state: SnapshotStateSchema }),
  'messages.replaced': z.object({ from: count(), messages: z.array(MessageSchema) }),
  'message.replaced': z.object({ index: count(), message: MessageSchema }),
} as const;

export type EventType = keyof typeof EVENT_DATA_SCHEMAS;
export const EVENT_TYPES = Object.keys(EVENT_DATA_SCHEMAS) as EventType[];

/** Every event type is at version 1; older shapes reach it through upcasters. */
export const CURRENT_EVENT_VERSION = 1;

export type EventData<T extends EventType> = z.infer<(typeof EVENT_DATA_SCHEMAS)[T]>;

/**
 * A stored event of one type, its keys in the order lines are written: seq, type, v, at, data,
 * and `op` (the command's operation id) only when it has one, so events without it are written
 * exactly as before.
 */
const storedEventOf = <T extends EventType>(type: T) =>
  z.object({
    seq: z.number().int().positive(),
    type: z.literal(type),
    v: z.literal(1),
    at: z.string(),
    data: EVENT_DATA_SCHEMAS[type],
    op: OperationIdSchema.optional(),
  });

export const StoredEventSchema = z.discriminatedUnion('type', [
  storedEventOf('system_prompt.set'),
  storedEventOf('messages.appended'),
  storedEventOf('usage.recorded'),
  storedEventOf('checkpoint.created'),
  storedEventOf('context.reverted'),
  storedEventOf('context.cleared'),
  storedEventOf('context.compacted'),
  storedEventOf('metadata.set'),
  storedEventOf('state.snapshotted'),
  storedEventOf('messages.replaced'),
  storedEventOf('message.replaced'),
]);

/** A committed event as stores keep it: `{"seq","type","v","at","data"}`, and `"op"` when its command had an operation id. */
export type StoredEvent = z.infer<typeof StoredEventSchema>;
/** An event before the engine stamps it with `seq`, `at` and its operation id. */
export type ContextEvent = StoredEvent extends infer E
  ? E extends StoredEvent
    ? Omit<E, 'seq' | 'at' | 'op'>
    : never
  : never;
