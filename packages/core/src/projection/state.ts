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
export interface ContextState {
  readonly systemPrompt: string | null;
  readonly messages: readonly Message[];
  readonly tokenCount: number;
  /** Code points of `text` parts in the messages after the last usage record. */
  readonly pendingTextLength: number;
  /** kimi-cli's estimate of the tokens not yet counted: `floor(pendingTextLength / 4)`. */
  readonly pendingTokenEstimate: number;
  readonly tokenCountWithPending: number;
  readonly nextCheckpointId: number;
  readonly checkpoints: readonly CheckpointMark[];
  readonly metadata: Readonly<Record<string, JsonValue>>;
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
  readonly seq: number;
  readonly operations: OperationSet;
}

const FIELDS = Symbol('contextlog.stateFields');

type InternalState = ContextState & { readonly [FIELDS]: StateFields };

export function makeState(fields: StateFields): ContextState {
  let messages: readonly Message[] | undefined;
  let checkpoints: readonly CheckpointMark[] | undefined;
  let operations: readonly OperationRecord[] | undefined;
  const pendingTokenEstimate = Math.floor(fields.pendingTextLength / 4);
  const state = {
    systemPrompt: fields.systemPrompt,
    get messages(): readonly Message[] {
      messages ??= materializeList(fields.messages);
      return messages;
    },
    tokenCount: fields.tokenCount,
    pendingTextLength: fields.pendingTextLength,
    pendingTokenEstimate,
    tokenCountWithPending: fields.tokenCount + pendingTokenEstimate,
    nextCheckpointId: fields.nextCheckpointId,
    get checkpoints(): readonly CheckpointMark[] {
      checkpoints ??= materializeList(fields.checkpoints);
      return checkpoints;
    },
    // The rules leave the metadata they make unfrozen (see fold.ts); freezing a frozen one is cheap.
    metadata: Object.freeze(fields.metadata),
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

/** The fields of a state made by `makeState`; a plain object (say, parsed JSON) is rebuilt. */
export function fieldsOf(state: ContextState): StateFields {
  const fields = (state as Partial<InternalState>)[FIELDS];
  if (fields !== undefined) return fields;
  return {
    systemPrompt: state.systemPrompt,
    messages: listOf(state.messages),
    tokenCount: state.tokenCount,
    pendingTextLength: state.pendingTextLength,
    nextCheckpointId: state.nextCheckpointId,
    checkpoints: listOf(state.checkpoints),
    metadata: Object.freeze({ ...state.metadata }),
    seq: state.seq,
    // A state from before operation ids (parsed JSON of an older version) has none.
    operations: operationsFrom(state.operations ?? []),
  };
}

/** The number of messages, without materializing them. */
export function messageCount(state: ContextState): number {
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
    seq: 0,
    operations: emptyOperations(),
  };
}

export function initialState(): ContextState {
  return makeState(initialFields());
}

/** The state as plain JSON data (what `state.snapshotted` stores and what replay = live compares). */
export function stateToJson(state: ContextState): unknown {
  return JSON.parse(JSON.stringify(state));
}

/**
 * The state as `state.snapshotted` stores it: the fields replay restores, as plain JSON data. The
 * estimates are derived, so they are left out: replay recomputes them, and
 * `tokenCountWithPending` passes 2^53 when a token count near it meets pending text.
 */
export function snapshotStateOf(state: ContextState): SnapshotState {
  const { systemPrompt, messages, tokenCount, pendingTextLength, nextCheckpointId } = state;
  const { checkpoints, metadata, seq } = state;
  const stored = { systemPrompt, messages, tokenCount, pendingTextLength, nextCheckpointId };
  // Operation ids only when there are any: snapshots of sessions without them read as before.
  const operations = state.operations.length === 0 ? {} : { operations: state.operations };
  return JSON.parse(
    JSON.stringify({ ...stored, checkpoints, metadata, seq, ...operations }),
  ) as SnapshotState;
}
