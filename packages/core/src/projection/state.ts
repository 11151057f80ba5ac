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

const FIELDS = Symbol('contextlog.stateFields');

type InternalState = ContextState & { readonly [FIELDS]: StateFields };

export function makeState(fields: StateFields): ContextState {
  let messages: readonly Message[] | undefined;
  let checkpoints: readonly CheckpointMark[] | undefined;
  let operations: readonly OperationRecord[] | undefined;
  const { kind } = fields;
  const pendingTokenEstimate = kind.estimate(fields.pendingTextLength);
  const state = {
    systemPrompt: fields.systemPrompt,
    get messages(): readonly Message[] {
      messages ??= materializeList(fields.messages);
      return messages;
    },
    tokenCount: fields.tokenCount,
    pendingTextLength: fields.pendingTextLength,
    pendingTokenEstimate,
    tokenCountWithPending:
      pendingTokenEstimate === null ? null : fields.tokenCount + pendingTokenEstimate,
    nextCheckpointId: fields.nextCheckpointId,
    get checkpoints(): readonly CheckpointMark[] {
      checkpoints ??= materializeList(fields.checkpoints);
      return checkpoints;
    },
    // The rules leave the metadata they make unfrozen (see fold.ts); freezing a frozen one is cheap.
    metadata: Object.freeze(fields.metadata),
    dialect: kind.dialect,
    estimator: kind.estimator,
    seq: fields.seq,
  };
  Object.defineProperty(state, 'operations', {
    get: () => {
      operations ??= deepFreeze(operationRecords(fields.operations));
      return operations;
    },
    enumerable: operationCount(fields.operations) > 0,
  });
  // Not enumerable: JSON, Object.keys and deep equality see only the public fields.
  Object.defineProperty(state, FIELDS, { value: fields, enumerable: false });
  return Object.freeze(state) as ContextState;
}

/**
 * The fields of a state made by `makeState`; a plain object (say, parsed JSON) is rebuilt, knowing
 * only the default dialect and estimator.
 */
export function fieldsOf<M>(state: ContextState<M>): StateFields {
  const fields = (state as Partial<InternalState>)[FIELDS];
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
