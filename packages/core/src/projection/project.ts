import { castDraft, freeze, Immer } from 'immer';
import { CheckpointNotFoundError } from '../errors/index.js';
import { checkpointMessage, type Message, textLength } from '../events/message.js';
import type { StoredEvent } from '../events/schemas.js';
import { appendToHistory, historyOf, truncateHistory } from './history.js';
import {
  type ContextState,
  fieldsOf,
  initialFields,
  makeState,
  type StateFields,
} from './state.js';

// A private instance: the importing application's immer settings stay its own. Used only for the
// small records (marks, metadata); history never goes through a draft (that copy is quadratic).
const immer = new Immer({ autoFreeze: true });

function textLengthOf(messages: readonly Message[]): number {
  let length = 0;
  for (const message of messages) length += textLength(message);
  return length;
}

/** Folds one event into state fields; the engine uses it to form a batch without making states. */
export function fold(fields: StateFields, event: StoredEvent): StateFields {
  const seq = event.seq;
  switch (event.type) {
    case 'system_prompt.set':
      return { ...fields, systemPrompt: event.data.prompt, seq };
    case 'messages.appended':
      return {
        ...fields,
        history: appendToHistory(fields.history, event.data.messages),
        pendingTextLength: fields.pendingTextLength + textLengthOf(event.data.messages),
        seq,
      };
    case 'usage.recorded':
      return { ...fields, tokenCount: event.data.tokenCount, pendingTextLength: 0, seq };
    case 'checkpoint.created': {
      const { id, addUserMessage } = event.data;
      const mark = {
        id,
        messageCount: fields.history.length,
        tokenCount: fields.tokenCount,
        pendingTextLength: fields.pendingTextLength,
      };
      const checkpoints = immer.produce(fields.checkpoints, (draft) => {
        draft.push(mark);
      });
      const next = { ...fields, checkpoints, nextCheckpointId: id + 1, seq };
      if (!addUserMessage) return next;
      const message = checkpointMessage(id);
      return {
        ...next,
        history: appendToHistory(fields.history, [message]),
        pendingTextLength: fields.pendingTextLength + textLength(message),
      };
    }
    case 'context.reverted': {
      const { checkpointId } = event.data;
      // The first mark with that id, as kimi-cli's revert_to stops at the first such record.
      const index = fields.checkpoints.findIndex((mark) => mark.id === checkpointId);
      const mark = fields.checkpoints[index];
      if (mark === undefined) {
        throw new CheckpointNotFoundError(
          checkpointId,
          fields.checkpoints.map((m) => m.id),
        );
      }
      return {
        ...fields,
        history: truncateHistory(fields.history, mark.messageCount),
        tokenCount: mark.tokenCount,
        pendingTextLength: mark.pendingTextLength,
        checkpoints: Object.freeze(fields.checkpoints.slice(0, index)),
        nextCheckpointId: checkpointId,
        seq,
      };
    }
    case 'context.cleared':
      return initialFields(seq);
    case 'context.compacted': {
      const { messages, tokenCount } = event.data;
      return {
        ...initialFields(seq),
        systemPrompt: fields.systemPrompt,
        metadata: fields.metadata,
        history: historyOf(messages),
        tokenCount: tokenCount ?? Math.floor(textLengthOf(messages) / 4),
      };
    }
    case 'metadata.set': {
      const { key, value } = event.data;
      const metadata = immer.produce(fields.metadata, (draft) => {
        draft[key] = castDraft(value);
      });
      return { ...fields, metadata, seq };
    }
    case 'state.snapshotted': {
      const { state } = event.data;
      return {
        systemPrompt: state.systemPrompt,
        history: historyOf(state.messages),
        tokenCount: state.tokenCount,
        pendingTextLength: state.pendingTextLength,
        nextCheckpointId: state.nextCheckpointId,
        checkpoints: freeze(state.checkpoints, true),
        metadata: freeze(state.metadata, true),
        seq,
      };
    }
  }
}

/**
 * The state after `event`: a pure function of the state before it. An event that cannot apply
 * (a revert to a checkpoint that is not live) throws `CheckpointNotFoundError`.
 */
export function project(state: ContextState, event: StoredEvent): ContextState {
  return makeState(fold(fieldsOf(state), event));
}

/** Folds events in order, from the empty session or from `from`. Linear in the events. */
export function replay(events: Iterable<StoredEvent>, from?: ContextState): ContextState {
  let fields = from === undefined ? initialFields() : fieldsOf(from);
  for (const event of events) fields = fold(fields, event);
  return makeState(fields);
}

/** Like `replay`, for events that arrive asynchronously (a store's `load()`). */
export async function replayAsync(
  events: AsyncIterable<StoredEvent> | Iterable<StoredEvent>,
  from?: ContextState,
): Promise<ContextState> {
  let fields = from === undefined ? initialFields() : fieldsOf(from);
  for await (const event of events) fields = fold(fields, event);
  return makeState(fields);
}

/** A replay that is fed one event at a time: for readers that stream a large log. */
export interface Replayer {
  apply(event: StoredEvent): void;
  readonly state: ContextState;
  readonly seq: number;
}

export function createReplayer(from?: ContextState): Replayer {
  let fields = from === undefined ? initialFields() : fieldsOf(from);
  let cached: ContextState | undefined;
  return {
    apply(event) {
      fields = fold(fields, event);
      cached = undefined;
    },
    get state() {
      cached ??= makeState(fields);
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
