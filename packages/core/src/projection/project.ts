import { CheckpointNotFoundError } from '../errors/index.js';
import { deepFreeze } from '../events/json.js';
import { checkpointMessage, type Message, textLength } from '../events/message.js';
import type { SnapshotState, StoredEvent } from '../events/schemas.js';
import { appendToList, findInList, itemAt, listOf, truncateList } from './shared-list.js';
import {
  type ContextState,
  fieldsOf,
  initialFields,
  makeState,
  type StateFields,
} from './state.js';

function textLengthOf(messages: readonly Message[]): number {
  let length = 0;
  for (const message of messages) length += textLength(message);
  return length;
}

/**
 * Where the mark `checkpointId` is, or -1 when a revert to it is refused. As kimi-cli's
 * revert_to: the id must be below the next checkpoint id, and the first mark with that id wins
 * (it stops at the first such record). Files kimi-cli writes never break the first rule; hand-edited
 * ones with ids out of order can.
 */
function liveMarkIndex(fields: StateFields, checkpointId: number): number {
  if (checkpointId >= fields.nextCheckpointId) return -1;
  return findInList(fields.checkpoints, (mark) => mark.id === checkpointId);
}

/** The ids of the live marks, for error messages. */
function liveMarkIds(fields: StateFields): number[] {
  return fields.checkpoints.log.slice(0, fields.checkpoints.length).map((mark) => mark.id);
}

export type MutableFields = { -readonly [K in keyof StateFields]: StateFields[K] };

// An explicit literal (not a spread) keeps one object shape and is several times faster on the
// replay hot path.
export function copyFields(fields: StateFields): MutableFields {
  return {
    systemPrompt: fields.systemPrompt,
    messages: fields.messages,
    tokenCount: fields.tokenCount,
    pendingTextLength: fields.pendingTextLength,
    nextCheckpointId: fields.nextCheckpointId,
    checkpoints: fields.checkpoints,
    metadata: fields.metadata,
    seq: fields.seq,
  };
}

/**
 * The rules, applied to fields that nobody else holds. Only the top-level object is changed in
 * place; messages, marks and metadata are replaced, never mutated, so states made earlier from
 * these fields are unaffected. An event that cannot apply (a revert to a mark that is not live)
 * throws before anything is changed.
 */
export function applyInPlace(fields: MutableFields, event: StoredEvent): void {
  switch (event.type) {
    case 'system_prompt.set':
      fields.systemPrompt = event.data.prompt;
      break;
    case 'messages.appended':
      fields.messages = appendToList(fields.messages, event.data.messages);
      fields.pendingTextLength += textLengthOf(event.data.messages);
      break;
    case 'usage.recorded':
      fields.tokenCount = event.data.tokenCount;
      fields.pendingTextLength = 0;
      break;
    case 'checkpoint.created': {
      const { id, addUserMessage } = event.data;
      const mark = Object.freeze({
        id,
        messageCount: fields.messages.length,
        tokenCount: fields.tokenCount,
        pendingTextLength: fields.pendingTextLength,
      });
      fields.checkpoints = appendToList(fields.checkpoints, [mark]);
      fields.nextCheckpointId = id + 1;
      if (addUserMessage) {
        const message = checkpointMessage(id);
        fields.messages = appendToList(fields.messages, [message]);
        fields.pendingTextLength += textLength(message);
      }
      break;
    }
    case 'context.reverted': {
      const { checkpointId } = event.data;
      const index = liveMarkIndex(fields, checkpointId);
      const mark = itemAt(fields.checkpoints, index);
      if (mark === undefined) throw new CheckpointNotFoundError(checkpointId, liveMarkIds(fields));
      fields.messages = truncateList(fields.messages, mark.messageCount);
      fields.tokenCount = mark.tokenCount;
      fields.pendingTextLength = mark.pendingTextLength;
      fields.checkpoints = truncateList(fields.checkpoints, index);
      fields.nextCheckpointId = checkpointId;
      break;
    }
    case 'context.cleared':
      Object.assign(fields, initialFields());
      break;
    case 'context.compacted': {
      const { messages, tokenCount } = event.data;
      const { systemPrompt, metadata } = fields;
      Object.assign(fields, initialFields());
      fields.systemPrompt = systemPrompt;
      fields.metadata = metadata;
      fields.messages = listOf(messages);
      fields.tokenCount = tokenCount ?? Math.floor(textLengthOf(messages) / 4);
      break;
    }
    case 'metadata.set': {
      const { key, value } = event.data;
      // One shallow copy per set: metadata is a handful of keys an agent updates often (immer's
      // produce measured ~9x slower here for the same copy). The key cannot be "__proto__".
      fields.metadata = Object.freeze({ ...fields.metadata, [key]: deepFreeze(value) });
      break;
    }
    case 'state.snapshotted': {
      const { state } = event.data;
      fields.systemPrompt = state.systemPrompt;
      fields.messages = listOf(state.messages);
      fields.tokenCount = state.tokenCount;
      fields.pendingTextLength = state.pendingTextLength;
      fields.nextCheckpointId = state.nextCheckpointId;
      fields.checkpoints = listOf(state.checkpoints);
      fields.metadata = deepFreeze(state.metadata);
      break;
    }
  }
  fields.seq = event.seq;
}

function fold(fields: StateFields, event: StoredEvent): StateFields {
  const next = copyFields(fields);
  applyInPlace(next, event);
  return next;
}

/**
 * The state after `event`: a pure function of the state before it. An event that cannot apply
 * (a revert to a checkpoint that is not live) throws `CheckpointNotFoundError`.
 */
export function project(state: ContextState, event: StoredEvent): ContextState {
  return makeState(fold(fieldsOf(state), event));
}

/**
 * Folds events in order, from the empty session or from `from`. Linear in the events. The state
 * takes the events' data as it is (no copy): it is frozen when first read, so hand over events
 * you will not change (a store's, or freshly parsed ones).
 */
export function replay(events: Iterable<StoredEvent>, from?: ContextState): ContextState {
  const replayer = createReplayer(from);
  for (const event of events) replayer.apply(event);
  return replayer.state;
}

/** Like `replay`, for events that arrive asynchronously (a store's `load()`). */
export async function replayAsync(
  events: AsyncIterable<StoredEvent> | Iterable<StoredEvent>,
  from?: ContextState,
): Promise<ContextState> {
  const replayer = createReplayer(from);
  for await (const event of events) replayer.apply(event);
  return replayer.state;
}

/** A replay that is fed one event at a time: for readers that stream a large log. */
export interface Replayer {
  apply(event: StoredEvent): void;
  readonly state: ContextState;
  readonly seq: number;
}

export function createReplayer(from?: ContextState): Replayer {
  const fields = copyFields(from === undefined ? initialFields() : fieldsOf(from));
  let cached: ContextState | undefined;
  // Counting the code points of appended text is a large part of a replay's fold, and most of it
  // is wasted: the next usage record zeroes the count. So appends leave their text uncounted
  // (messages from `uncountedFrom` on) until a usage record drops it or anything else (any
  // other event, or reading the state) needs the count.
  let uncountedFrom = -1;
  const settle = () => {
    if (uncountedFrom < 0) return;
    const { log, length } = fields.messages;
    let pending = fields.pendingTextLength;
    for (let i = uncountedFrom; i < length; i++) pending += textLength(log[i] as Message);
    fields.pendingTextLength = pending;
    uncountedFrom = -1;
  };
  return {
    apply(event) {
      if (event.type === 'messages.appended') {
        if (uncountedFrom < 0) uncountedFrom = fields.messages.length;
        fields.messages = appendToList(fields.messages, event.data.messages);
        fields.seq = event.seq;
      } else {
        if (event.type === 'usage.recorded') uncountedFrom = -1;
        else settle();
        // A failed event (a revert to a missing mark) throws before changing anything.
        applyInPlace(fields, event);
      }
      cached = undefined;
    },
    get state() {
      settle();
      cached ??= makeState(copyFields(fields));
      return cached;
    },
    get seq() {
      return fields.seq;
    },
  };
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
  return JSON.parse(JSON.stringify({ ...stored, checkpoints, metadata, seq })) as SnapshotState;
}
