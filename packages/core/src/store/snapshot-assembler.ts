import { z } from 'zod';
import type { EventParser } from '../dialect/event-parser.js';
import { ValidationError } from '../errors/index.js';
import { isRecord } from '../events/json.js';
import {
  CheckpointMarkSchema,
  MetadataSchema,
  OperationRecordSchema,
  type StoredEvent,
} from '../events/schemas.js';
import { toValidationError } from '../events/zod-issues.js';

/** Where a part stands in its snapshot, as a stored line or row records it beside the event. */
export const SnapshotPartRefSchema = z.strictObject({
  index: z.number().int().nonnegative(),
  last: z.boolean(),
});
export type SnapshotPartRef = z.infer<typeof SnapshotPartRefSchema>;

/**
 * Joins the parts of a `state.snapshotted` (see `snapshotParts`) into the one event they are,
 * validating each part as it comes so that only validated data is kept: memory holds the state
 * being built, never a second copy of it. `parser` is the session's event parser: part 0 goes
 * through it as a whole event (declaring the snapshot's dialect), later parts are checked with
 * that dialect's message schema.
 */
export interface SnapshotAssembler {
  /**
   * Adds the next part: `raw` is the stored event as read, without its part reference. Returns the
   * whole event once `part.last`, else undefined. A part out of order (another seq, a skipped or
   * repeated index, a later part with no part 0) or with malformed data is a `ValidationError`
   * naming the field; the parts gathered so far are then dropped.
   */
  add(raw: unknown, part: SnapshotPartRef): StoredEvent | undefined;
  /** The snapshot being gathered (its seq and the parts seen), if one is. */
  readonly pending: { readonly seq: number; readonly parts: number } | undefined;
  /** Drops the parts gathered so far. */
  reset(): void;
}

interface Gathering {
  readonly first: Extract<StoredEvent, { type: 'state.snapshotted' }>;
  readonly messages: unknown[];
  readonly checkpoints: unknown[];
  readonly operations: unknown[];
  readonly metadata: Record<string, unknown>;
  parts: number;
}

const laterPartSchemas = new WeakMap<z.ZodType, z.ZodType>();

function laterPartSchemaFor(message: z.ZodType) {
  let schema = laterPartSchemas.get(message);
  if (schema === undefined) {
    schema = z.compile(
      z.strictObject({
        messages: z.array(message).optional(),
        checkpoints: z.array(CheckpointMarkSchema).optional(),
        operations: z.array(OperationRecordSchema).optional(),
        metadata: MetadataSchema.optional(),
      }),
    );
    laterPartSchemas.set(message, schema);
  }
  return schema;
}

interface LaterPart {
  readonly messages?: readonly unknown[];
  readonly checkpoints?: readonly unknown[];
  readonly operations?: readonly unknown[];
  readonly metadata?: Readonly<Record<string, unknown>>;
}

export interface SnapshotAssemblerOptions {
  /**
   * Keep the items of later parts (default true). Without, each part is validated and dropped, and
   * the event handed on holds only part 0's items: for a reader that checks a file, never for one
   * that folds it.
   */
  readonly keepItems?: boolean;
  /**
   * A fast check of one message of kimi-cli's dialect that only ever says yes for a message the
   * schema accepts and returns unchanged (as a file reader's fast path has): messages it accepts
   * are kept as parsed, without zod's validating copy. Never asked about other dialects.
   */
  readonly isPlainDefaultMessage?: (message: unknown) => boolean;
}

export function createSnapshotAssembler(
  parser: EventParser,
  { keepItems = true, isPlainDefaultMessage }: SnapshotAssemblerOptions = {},
): SnapshotAssembler {
  let gathering: Gathering | undefined;

  const startWith = (raw: unknown): StoredEvent | undefined => {
    const event = parser.parse(raw, { parsedFromJson: true });
    if (event.type !== 'state.snapshotted') {
      throw new ValidationError(
        `part 0 of a snapshot: type is "${event.type}", expected "state.snapshotted"`,
        'type',
      );
    }
    const { state } = event.data;
    gathering = {
      first: event,
      messages: [...state.messages],
      checkpoints: [...state.checkpoints],
      operations: [...(state.operations ?? [])],
      metadata: { ...state.metadata },
      parts: 1,
    };
    return undefined;
  };

  const continueWith = (raw: unknown, index: number): void => {
    const current = gathering;
    if (current === undefined) {
      throw new ValidationError(`snapshot part ${index} without its part 0`, 'part.index');
    }
    const { first } = current;
    if (!isRecord(raw)) throw new ValidationError('an event must be a JSON object', '');
    if (raw.seq !== first.seq || raw.type !== first.type || raw.v !== first.v) {
      throw new ValidationError(
        `snapshot part ${index}: seq, type and v must be those of its part 0 (seq ${first.seq}, "${first.type}", v${first.v})`,
        'seq',
      );
    }
    if (index !== current.parts) {
      throw new ValidationError(
        `snapshot seq ${first.seq}: part ${index} where part ${current.parts} was due`,
        'part.index',
      );
    }
    const part = validatedPart(raw.data);
    current.parts++;
    if (!keepItems) return;
    for (const message of part.messages ?? []) current.messages.push(message);
    for (const mark of part.checkpoints ?? []) current.checkpoints.push(mark);
    for (const record of part.operations ?? []) current.operations.push(record);
    for (const key of Object.keys(part.metadata ?? {})) {
      if (key === '__proto__' || Object.hasOwn(current.metadata, key)) {
        throw new ValidationError(
          `snapshot seq ${first.seq}: metadata key ${JSON.stringify(key)} ${key === '__proto__' ? 'cannot be a metadata key' : 'is in two parts'}`,
          `data.metadata.${key}`,
        );
      }
      current.metadata[key] = part.metadata?.[key];
    }
  };

  /** A later part's data, validated; its messages as parsed when the fast check vouches for them. */
  const validatedPart = (data: unknown): LaterPart => {
    if (isPlainDefaultMessage !== undefined && parser.kind.isDefault && isRecord(data)) {
      const { messages, ...rest } = data;
      if (Array.isArray(messages) && messages.every(isPlainDefaultMessage)) {
        const others = laterPartSchemaFor(parser.messageSchema).safeParse(rest);
        if (others.success) return { ...(others.data as LaterPart), messages };
      }
    }
    const result = laterPartSchemaFor(parser.messageSchema).safeParse(data);
    if (!result.success) throw toValidationError(result.error, ['data']);
    return result.data as LaterPart;
  };

  const finish = (): StoredEvent => {
    const { first, messages, checkpoints, operations, metadata } = gathering as Gathering;
    gathering = undefined;
    const { state } = first.data;
    // Frozen as every event's data is (its items are frozen when a state first reads them): a
    // state borrows these arrays as they are (see `materializeList`).
    const lists = {
      messages: Object.freeze(messages),
      checkpoints: Object.freeze(checkpoints),
      metadata,
      ...(state.operations === undefined ? {} : { operations: Object.freeze(operations) }),
    };
    return { ...first, data: { state: { ...state, ...lists } } } as StoredEvent;
  };

  return {
    add(raw, part) {
      try {
        if (part.index === 0) {
          gathering = undefined;
          startWith(raw);
        } else {
          continueWith(raw, part.index);
        }
      } catch (error) {
        gathering = undefined;
        throw error;
      }
      return part.last ? finish() : undefined;
    },
    get pending() {
      return gathering === undefined
        ? undefined
        : { seq: gathering.first.seq, parts: gathering.parts };
    },
    reset() {
      gathering = undefined;
    },
  };
}
