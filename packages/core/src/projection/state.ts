import { type DialectRef, dialectLabel } from '../dialect/dialect.js';
import { DEFAULT_KIND, resolveDefaultKind, type SessionKind } from '../dialect/session-kind.js';
import { UnknownDialectError } from '../errors/index.js';
import { deepFreeze, type JsonValue } from '../events/json.js';
import type { Message } from '../events/message.js';
import type { CheckpointMark, OperationRecord, SnapshotState } from '../events/schemas.js';
import {
  emptyOperations,
  type OperationSet,
  operationCount,
  operationRecords,
  operationsFrom,
} from './operations.js';
import { emptyList, listOf, materializeList, type SharedList } from './shared-list.js';

/**
 * The state of a session: a pure function of its committed events. Plain, frozen,
 * JSON-serializable; `messages` is materialized on first read, so appending never copies history.
 */
export interface ContextState<M = Message> {
  readonly systemPrompt: string | null;
  readonly messages: readonly M[];
  readonly tokenCount: number;
  /**
   * The text of the messages after the last usage record, as the session's dialect measures it
   * (kimi-cli's: code points of `text` parts). 0 when this reader does not know the dialect.
   */
  readonly pendingTextLength: number;
  /**
   * The session's estimator's estimate of the tokens not yet counted (kimi-cli's:
   * `floor(pendingTextLength / 4)`); null when this reader does not know the dialect or the estimator.
   */
  readonly pendingTokenEstimate: number | null;
  /** `tokenCount + pendingTokenEstimate`, null when the estimate is. */
  readonly tokenCountWithPending: number | null;
  readonly nextCheckpointId: number;
  readonly checkpoints: readonly CheckpointMark[];
  readonly metadata: Readonly<Record<string, JsonValue>>;
  /** The dialect the session declared (kimi-cli's, `kimi-cli` v1, unless it declared another). */
  readonly dialect: DialectRef;
  /** The name of the session's token estimator (`kimi-cli` unless it declared another). */
  readonly estimator: string;
  /** Seq of the last folded event (0 before any). */
  readonly seq: number;
  /**
   * The operation ids of the last commands that carried one (at most `MAX_OPERATION_IDS`, oldest
   * first), each with its command's fingerprint and result. `clear` forgets them. Enumerable
   * (so in the state's JSON) only when there are any: a session without them has the JSON it had
   * before operation ids.
   */
  readonly operations: readonly OperationRecord[];
}

/** The fields a state is made of; the estimate fields are derived from them. */
export interface StateFields {
  readonly systemPrompt: string | null;
  readonly messages: SharedList<Message>;
  readonly tokenCount: number;
  readonly pendingTextLength: number;
  readonly nextCheckpointId: number;
  readonly checkpoints: SharedList<CheckpointMark>;
  readonly metadata: Readonly<Record<string, JsonValue>>;
  readonly kind: SessionKind;
  readonly seq: number;
  readonly operations: OperationSet;
}

const INTERNAL = Symbol('contextlog.stateFields');

/** What a state keeps beside its public fields: its fields, and the lists once materialized. */
interface Internal {
  readonly fields: StateFields;
  messages: readonly Message[] | undefined;
  checkpoints: readonly CheckpointMark[] | undefined;
  operations: readonly OperationRecord[] | undefined;
}

type InternalState = ContextState & { readonly [INTERNAL]: Internal };

const internalOf = (state: object): Internal => (state as InternalState)[INTERNAL];

// The lists are materialized on first read, by getters every state shares: an object literal
// with getters of its own costs V8 about 2 µs to make (new closures, an accessor pair each, no
// cached shape), as much as the rest of a durable append's own work; a shared descriptor, ~0.3.
function listDescriptor<K extends 'messages' | 'checkpoints'>(key: K): PropertyDescriptor {
  return {
    get(this: object): Internal[K] {
      const internal = internalOf(this);
      internal[key] ??= materializeList<unknown>(internal.fields[key]) as Internal[K];
      return internal[key];
    },
    enumerable: true,
  };
}
const MESSAGES = listDescriptor('messages');
const CHECKPOINTS = listDescriptor('checkpoints');
const operationsGetter = function (this: object): readonly OperationRecord[] {
  const internal = internalOf(this);
  internal.operations ??= deepFreeze(operationRecords(internal.fields.operations));
  return internal.operations;
};
// Enumerable (so in the state's JSON) only when there are any.
const OPERATIONS: PropertyDescriptor = { get: operationsGetter, enumerable: true };
const NO_OPERATIONS: PropertyDescriptor = { get: operationsGetter, enumerable: false };

type Building = { -readonly [K in keyof ContextState]: ContextState[K] };

export function makeState(fields: StateFields): ContextState {
  const { kind } = fields;
  const pendingTokenEstimate = kind.estimate(fields.pendingTextLength);
  // The keys in the order of the state's JSON, every state the same: accessors defined in place.
  const state = { systemPrompt: fields.systemPrompt } as Building;
  Object.defineProperty(state, 'messages', MESSAGES);
  state.tokenCount = fields.tokenCount;
  state.pendingTextLength = fields.pendingTextLength;
  state.pendingTokenEstimate = pendingTokenEstimate;
  state.tokenCountWithPending =
    pendingTokenEstimate === null ? null : fields.tokenCount + pendingTokenEstimate;
  state.nextCheckpointId = fields.nextCheckpointId;
  Object.defineProperty(state, 'checkpoints', CHECKPOINTS);
  // The rules leave the metadata they make unfrozen (see fold.ts); freezing a frozen one is cheap.
  state.metadata = Object.freeze(fields.metadata);
  state.dialect = kind.dialect;
  state.estimator = kind.estimator;
  state.seq = fields.seq;
  Object.defineProperty(
    state,
    'operations',
    operationCount(fields.operations) > 0 ? OPERATIONS : NO_OPERATIONS,
  );
  // Not enumerable: JSON, Object.keys and deep equality see only the public fields.
  const internal: Internal = {
    fields,
    messages: undefined,
    checkpoints: undefined,
    operations: undefined,
  };
  Object.defineProperty(state, INTERNAL, { value: internal, enumerable: false });
  return Object.freeze(state) as ContextState;
}

/**
 * The fields of a state made by `makeState`; a plain object (say, parsed JSON) is rebuilt, knowing
 * only the default dialect and estimator.
 */
export function fieldsOf<M>(state: ContextState<M>): StateFields {
  const fields = (state as Partial<InternalState>)[INTERNAL]?.fields;
  if (fields !== undefined) return fields;
  return {
    systemPrompt: state.systemPrompt,
    messages: listOf(state.messages as readonly unknown[] as readonly Message[]),
    tokenCount: state.tokenCount,
    pendingTextLength: state.pendingTextLength,
    nextCheckpointId: state.nextCheckpointId,
    checkpoints: listOf(state.checkpoints),
    metadata: Object.freeze({ ...state.metadata }),
    kind: resolveDefaultKind(state.dialect, state.estimator),
    seq: state.seq,
    // A state from before operation ids (parsed JSON of an older version) has none.
    operations: operationsFrom(state.operations ?? []),
  };
}

/** The number of messages, without materializing them. */
export function messageCount<M>(state: ContextState<M>): number {
  return fieldsOf(state).messages.length;
}

const NO_METADATA: Readonly<Record<string, JsonValue>> = Object.freeze({});

/** Fresh fields of an empty session (each with its own message list, which appends grow). */
export function initialFields(): StateFields {
  return {
    systemPrompt: null,
    messages: emptyList(),
    tokenCount: 0,
    pendingTextLength: 0,
    nextCheckpointId: 0,
    checkpoints: emptyList(),
    metadata: NO_METADATA,
    kind: DEFAULT_KIND,
    seq: 0,
    operations: emptyOperations(),
  };
}

export function initialState(): ContextState {
  return makeState(initialFields());
}

/** The state as plain JSON data (what `state.snapshotted` stores and what replay = live compares). */
export function stateToJson<M>(state: ContextState<M>): unknown {
  return JSON.parse(JSON.stringify(state));
}

/**
 * The state as `state.snapshotted` stores it: the fields replay restores, as plain JSON data. The
 * estimates are derived, so they are left out: replay recomputes them, and
 * `tokenCountWithPending` passes 2^53 when a token count near it meets pending text.
 */
export function snapshotStateOf<M>(state: ContextState<M>): SnapshotState {
  return JSON.parse(JSON.stringify(snapshotObjectOf(state))) as SnapshotState;
}

/**
 * The object a snapshot of `state` stores, holding the state's own lists (no copy): for
 * `snapshotStateOf`, and for writers that stream it a part at a time (`snapshotParts`). Refuses
 * a state of a dialect this reader does not know.
 */
export function snapshotObjectOf<M>(state: ContextState<M>): Readonly<Record<string, unknown>> {
  const { kind } = fieldsOf(state);
  // Without the dialect's code, this reader counted no pending text: a snapshot would lose it.
  if (kind.knownDialect === undefined) {
    throw new UnknownDialectError(dialectLabel(kind.dialect), 'a snapshot');
  }
  const { systemPrompt, messages, tokenCount, pendingTextLength, nextCheckpointId } = state;
  const { checkpoints, metadata, dialect, estimator, seq } = state;
  const stored = { systemPrompt, messages, tokenCount, pendingTextLength, nextCheckpointId };
  // The defaults are left out, so a kimi-cli session's snapshot reads as it always did; operation
  // ids only when there are any, for the same reason.
  const declared = resolveDefaultKind(dialect, estimator).isDefault ? {} : { dialect, estimator };
  const operations = state.operations.length === 0 ? {} : { operations: state.operations };
  return { ...stored, checkpoints, metadata, ...declared, seq, ...operations };
}
