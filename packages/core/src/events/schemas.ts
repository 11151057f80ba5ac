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

/** A dialect or estimator name as the log records it. */
const nameOf = () => z.string().regex(/^[a-z0-9][a-z0-9._/-]{0,63}$/, 'expected a lower-case name');

export const DialectRefSchema = z.object({ name: nameOf(), version: z.number().int().positive() });

/**
 * The schemas of every event's data, for messages of one dialect: what a message is differs by
 * session (see dialect/), the rest of each event does not.
 */
export function eventDataSchemasFor<M extends z.ZodType>(message: M) {
  /**
   * The whole state as `state.snapshotted` carries it: a serialized `ContextState`. The derived
   * fields may be present (older snapshots hold them; `snapshotStateOf` leaves them out) but are
   * recomputed on replay, so a snapshot can never disagree with itself. Being ignored, they are
   * only checked to be numbers (or null): the `tokenCountWithPending` of a reachable state can pass 2^53.
   * `dialect` and `estimator` are left out for the defaults, so such snapshots read as before.
   */
  const snapshotState = z.object({
    systemPrompt: z.string().nullable(),
    messages: z.array(message),
    tokenCount: count(),
    pendingTextLength: count(),
    nextCheckpointId: count(),
    checkpoints: z.array(CheckpointMarkSchema),
    metadata: MetadataSchema,
    dialect: DialectRefSchema.optional(),
    estimator: nameOf().optional(),
    pendingTokenEstimate: z.number().nullable().optional(),
    tokenCountWithPending: z.number().nullable().optional(),
    seq: count().optional(),
    /** The operation ids the state remembers, oldest first (absent in snapshots without any). */
    operations: z.array(OperationRecordSchema).optional(),
  });
  return {
    'system_prompt.set': z.object({ prompt: z.string() }),
    'messages.appended': z.object({ messages: z.array(message).min(1) }),
    'usage.recorded': z.object({ tokenCount: count() }),
    'checkpoint.created': z.object({
      id: count(),
      addUserMessage: z.boolean(),
      // The user message a non-default dialect appended, stored so that replay needs no dialect
      // code to rebuild it (kimi-cli's is rebuilt from the id, as kimi-cli does).
      message: message.optional(),
    }),
    'context.reverted': z.object({ checkpointId: count() }),
    'context.cleared': z.object({}),
    'context.compacted': z.object({
      messages: z.array(message),
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
    'state.snapshotted': z.object({ state: snapshotState }),
    'session.declared': z.object({ dialect: DialectRefSchema, estimator: nameOf() }),
    'messages.replaced': z.object({ from: count(), messages: z.array(message) }),
    'message.replaced': z.object({ index: count(), message }),
  } as const;
}

/** The data schema of each event type at its current version, for kimi-cli's messages. */
export const EVENT_DATA_SCHEMAS = eventDataSchemasFor(MessageSchema);

export const SnapshotStateSchema = EVENT_DATA_SCHEMAS['state.snapshotted'].shape.state;
export type SnapshotState = z.infer<typeof SnapshotStateSchema>;

export type EventType = keyof typeof EVENT_DATA_SCHEMAS;
export const EVENT_TYPES = Object.keys(EVENT_DATA_SCHEMAS) as EventType[];

/** Every event type is at version 1; older shapes reach it through upcasters. */
export const CURRENT_EVENT_VERSION = 1;

export type EventData<T extends EventType> = z.infer<(typeof EVENT_DATA_SCHEMAS)[T]>;

const envelope = {
  seq: z.number().int().positive(),
  v: z.literal(1),
  at: z.string(),
  op: OperationIdSchema.optional(),
};

/**
 * A stored event of one type, its keys in the order lines are written: seq, type, v, at, data,
 * and `op` (the command's operation id) only when it has one, so events without it are written
 * exactly as before.
 */
const storedOf = <T extends EventType>(type: T) =>
  z.object({
    seq: envelope.seq,
    type: z.literal(type),
    v: envelope.v,
    at: envelope.at,
    data: EVENT_DATA_SCHEMAS[type],
    op: envelope.op,
  });

export const StoredEventSchema = z.discriminatedUnion('type', [
  storedOf('system_prompt.set'),
  storedOf('messages.appended'),
  storedOf('usage.recorded'),
  storedOf('checkpoint.created'),
  storedOf('context.reverted'),
  storedOf('context.cleared'),
  storedOf('context.compacted'),
  storedOf('metadata.set'),
  storedOf('state.snapshotted'),
  storedOf('session.declared'),
  storedOf('messages.replaced'),
  storedOf('message.replaced'),
]);

/** The schema of each stored event type, for messages of `message`'s shape. */
export function storedEventSchemasFor(message: z.ZodType): ReadonlyMap<EventType, z.ZodType> {
  const data: Record<EventType, z.ZodType> = eventDataSchemasFor(message);
  return new Map(
    EVENT_TYPES.map((type) => [
      type,
      z.object({
        seq: envelope.seq,
        type: z.literal(type),
        v: envelope.v,
        at: envelope.at,
        data: data[type],
        op: envelope.op,
      }),
    ]),
  );
}

/** A committed event as stores keep it: `{"seq","type","v","at","data"}`, and `"op"` when its command had an operation id. */
export type StoredEvent = z.infer<typeof StoredEventSchema>;
/** An event before the engine stamps it with `seq`, `at` and its operation id. */
export type ContextEvent = StoredEvent extends infer E
  ? E extends StoredEvent
    ? Omit<E, 'seq' | 'at' | 'op'>
    : never
  : never;
