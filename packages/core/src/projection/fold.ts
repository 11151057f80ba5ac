import { Immer } from 'immer';
import {
  createKindResolver,
  type DialectOptions,
  type ResolveKind,
  resolveDefaultKind,
  type SessionKind,
} from '../dialect/session-kind.js';
import { CheckpointNotFoundError } from '../errors/index.js';
import { deepFreeze } from '../events/json.js';
import { checkpointMessage, type Message } from '../events/message.js';
import type { StoredEvent } from '../events/schemas.js';
import { replaceOne, replaceSuffix } from './edits.js';
import { operationsFrom, rememberOperation } from './operations.js';
import {
  appendToList,
  emptyList,
  findInList,
  forEachItem,
  itemAt,
  listOf,
  toArray,
  truncateList,
} from './shared-list.js';
import {
  type ContextState,
  fieldsOf,
  initialFields,
  makeState,
  type StateFields,
} from './state.js';

function textLengthOf(kind: SessionKind, messages: readonly Message[]): number {
  let length = 0;
  for (const message of messages) length += kind.textLength(message);
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
  return toArray(fields.checkpoints).map((mark) => mark.id);
}

type MutableFields = { -readonly [K in keyof StateFields]: StateFields[K] };

// An explicit literal (not a spread) keeps one object shape and is several times faster on the
// replay hot path.
function copyFields(fields: StateFields): MutableFields {
  return {
    systemPrompt: fields.systemPrompt,
    messages: fields.messages,
    tokenCount: fields.tokenCount,
    pendingTextLength: fields.pendingTextLength,
    nextCheckpointId: fields.nextCheckpointId,
    checkpoints: fields.checkpoints,
    metadata: fields.metadata,
    kind: fields.kind,
    seq: fields.seq,
    operations: fields.operations,
  };
}

/**
 * The rules: the one reducer of the projection. Replay runs it on a plain object, the engine on
 * an immer draft (one per batch); either way it only assigns the top-level fields. Messages and
 * marks are shared lists (class instances, which immer does not draft) that it appends to or cuts,
 * and the objects it makes (a mark, the metadata) are new, so states made earlier are unaffected.
 * The metadata it makes is left unfrozen: on a draft it may hold drafts of the old values until
 * immer finalizes them, and `makeState` freezes it. An event that cannot apply (a revert to a mark
 * that is not live, an edit out of range) throws before anything is changed. Edits (edits.ts)
 * write into the shared lists, keeping what they overwrite for the states made earlier.
 */
function applyEvent(fields: MutableFields, event: StoredEvent, resolve: ResolveKind): void {
  switch (event.type) {
    case 'system_prompt.set':
      fields.systemPrompt = event.data.prompt;
      break;
    case 'messages.appended':
      fields.messages = appendToList(fields.messages, event.data.messages);
      fields.pendingTextLength += textLengthOf(fields.kind, event.data.messages);
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
        // A non-default dialect's message is in the event; kimi-cli's is rebuilt from the id.
        const message = (event.data.message as Message | undefined) ?? checkpointMessage(id);
        fields.messages = appendToList(fields.messages, [message]);
        fields.pendingTextLength += fields.kind.textLength(message);
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
    case 'context.cleared': {
      // What the session is (its dialect and estimator) outlives a clear.
      const { kind } = fields;
      Object.assign(fields, initialFields());
      fields.kind = kind;
      break;
    }
    case 'context.compacted': {
      // The system prompt and metadata stay; the rest starts over (set one by one: reading the
      // metadata to keep it would draft it).
      const { messages, tokenCount } = event.data;
      fields.messages = listOf(messages);
      // Without a token count (only kimi-cli sessions: the engine stores the estimate for every
      // other kind), kimi-cli's estimate of the summary.
      fields.tokenCount = tokenCount ?? Math.floor(textLengthOf(fields.kind, messages) / 4);
      fields.pendingTextLength = 0;
      fields.nextCheckpointId = 0;
      fields.checkpoints = emptyList();
      break;
    }
    case 'metadata.set': {
      const { key, value } = event.data;
      // One shallow copy per set: metadata is a handful of keys. The key cannot be "__proto__".
      fields.metadata = { ...fields.metadata, [key]: deepFreeze(value) };
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
      fields.kind = resolve(state.dialect, state.estimator);
      fields.operations = operationsFrom(state.operations ?? []);
      break;
    }
    case 'session.declared':
      fields.kind = resolve(event.data.dialect, event.data.estimator);
      break;
    case 'messages.replaced':
      Object.assign(fields, replaceSuffix(fields, event.data.from, event.data.messages));
      break;
    case 'message.replaced':
      Object.assign(fields, replaceOne(fields, event.data.index, event.data.message));
      break;
  }
  // After the rules: a clear forgets the ids before it, not its own.
  if (event.op !== undefined) {
    fields.operations = rememberOperation(fields.operations, event, event.op);
  }
  fields.seq = event.seq;
}

/**
 * The fold, fed one event at a time: what replay, the readers of a session file and the engine's
 * batches all go through.
 */
export interface Fold {
  /**
   * Folds `event` into the state. One that cannot apply (a revert to a checkpoint that is not
   * live, an edit at an index the history does not have) throws `CheckpointNotFoundError` or
   * `ValidationError` and changes nothing.
   */
  apply(event: StoredEvent): void;
  /** Seq of the last folded event (0 before any). */
  readonly seq: number;
  /** The id the next checkpoint gets. */
  readonly nextCheckpointId: number;
  /** The state so far (made when read, then kept until the next event). */
  readonly state: ContextState;
}

/**
 * A fold from the empty session or from `from`, on a plain object: linear in the events. The
 * state takes the events' data as it is (no copy): it is frozen when first read, so hand over
 * events you will not change (a store's, or freshly parsed ones).
 */
export function createFold(from?: ContextState, options?: DialectOptions): Fold {
  const resolve = options === undefined ? resolveDefaultKind : createKindResolver(options);
  const fields = copyFields(from === undefined ? initialFields() : fieldsOf(from));
  let cached: ContextState | undefined;
  // Counting the code points of appended text is a large part of a replay's fold, and most of it
  // is wasted: the next usage record zeroes the count. So appends leave their text uncounted
  // (messages from `uncountedFrom` on) until a usage record drops it or anything else (any
  // other event, or reading the state) needs the count.
  let uncountedFrom = -1;
  const settle = () => {
    if (uncountedFrom < 0) return;
    // The replay hot path: the dialect's own function, looked up once, not `kind.textLength` per
    // message. A dialect this reader does not know counts no text (as `SessionKind.textLength`).
    const dialect = fields.kind.knownDialect;
    if (dialect !== undefined) {
      let pending = fields.pendingTextLength;
      forEachItem(fields.messages, uncountedFrom, fields.messages.length, (message) => {
        pending += dialect.textLength(message);
      });
      fields.pendingTextLength = pending;
    }
    uncountedFrom = -1;
  };
  return {
    apply(event) {
      if (event.type === 'messages.appended' && event.op === undefined) {
        if (uncountedFrom < 0) uncountedFrom = fields.messages.length;
        fields.messages = appendToList(fields.messages, event.data.messages);
        fields.seq = event.seq;
      } else {
        if (event.type === 'usage.recorded') uncountedFrom = -1;
        else settle();
        applyEvent(fields, event, resolve);
      }
      cached = undefined;
    },
    get seq() {
      return fields.seq;
    },
    get nextCheckpointId() {
      return fields.nextCheckpointId;
    },
    get state() {
      settle();
      cached ??= makeState(copyFields(fields));
      return cached;
    },
  };
}

/**
 * The state after `events`, folded in order from the empty session or from `from` (see
 * `createFold`). Events that arrive asynchronously (a store's `load()`) give a promise of it.
 */
export function foldEvents<M = Message>(
  events: Iterable<StoredEvent>,
  from?: ContextState<M>,
  options?: DialectOptions,
): ContextState<M>;
export function foldEvents<M = Message>(
  events: AsyncIterable<StoredEvent>,
  from?: ContextState<M>,
  options?: DialectOptions,
): Promise<ContextState<M>>;
export function foldEvents<M = Message>(
  events: Iterable<StoredEvent> | AsyncIterable<StoredEvent>,
  from?: ContextState<M>,
  options?: DialectOptions,
): ContextState<M> | Promise<ContextState<M>> {
  // The fold does not look at the messages' shape: the caller's M is what the dialect gave them.
  const fold = createFold(from as ContextState | undefined, options);
  const state = () => fold.state as unknown as ContextState<M>;
  // Synchronous whenever the events are (the first overload): an array gives a state, not a promise.
  if (Symbol.iterator in events) {
    for (const event of events) fold.apply(event);
    return state();
  }
  return (async () => {
    for await (const event of events) fold.apply(event);
    return state();
  })();
}

// Our own instance: a user's settings of immer's global one (setAutoFreeze …) do not reach the
// engine, nor ours theirs. No auto-freeze: `makeState` freezes the one object the rules make
// unfrozen (the metadata), and the shared lists are never walked.
const immer = new Immer({ autoFreeze: false });

/**
 * A batch being folded: one immer draft of the fields of `from` (never one per event). Fold the
 * events through `fold` (each made from what the events before it left: `fold.seq`,
 * `fold.nextCheckpointId`); `fold.apply` changes nothing when it throws, so a caller may catch
 * that and go on. `finish()` ends the draft and gives the state after the batch (`from` itself if
 * nothing changed); `from` is unaffected. The engine finishes while the store writes the batch:
 * finishing is much of a recipe's cost, and right after a durable write's wait it runs cold.
 */
export interface BatchInProgress {
  readonly fold: BatchFold;
  finish(): ContextState;
}

export function beginBatch(
  from: ContextState,
  resolve: ResolveKind = resolveDefaultKind,
): BatchInProgress {
  const fold = new DraftFold(fieldsOf(from), resolve);
  return {
    fold,
    finish() {
      const appended = fold.appendedOnly();
      if (appended !== undefined) return makeState(appended);
      const draft = fold.drafted();
      if (draft === undefined) return from;
      const fields = immer.finishDraft(draft) as StateFields;
      return fields === fieldsOf(from) ? from : makeState(fields);
    },
  };
}

/** `beginBatch`, then `body`, then `finish()`: the state after the batch `body` folds. */
export function foldBatch(
  from: ContextState,
  body: (fold: BatchFold) => void,
  resolve: ResolveKind = resolveDefaultKind,
): ContextState {
  const batch = beginBatch(from, resolve);
  body(batch.fold);
  return batch.finish();
}

/** The fold of a batch, as `foldBatch` hands it to its body. */
export interface BatchFold extends Omit<Fold, 'state'> {
  /** The fields as the events folded so far left them: for reading only. */
  readonly fields: StateFields;
}

/**
 * A batch's draft as `foldBatch` hands it to its body. A class, because V8 makes an object
 * literal with getters slowly (~1 µs, as much as the whole `produce`).
 *
 * Appends (the bulk of every batch) are held back and written to the draft as one, when another
 * event or a read of `fields` needs them; the draft itself is made only then. So a batch of
 * appends alone never touches immer: `finish()`, which the engine calls while the store writes,
 * builds its fields directly (`appendedOnly`).
 * Their text is counted when each is applied, so a dialect's estimator that throws refuses that
 * event, before anything changed, as `applyEvent` would. The fields after the batch are the same
 * as `applyEvent` one event at a time makes them.
 */
class DraftFold implements BatchFold {
  readonly #base: StateFields;
  readonly #resolve: ResolveKind;
  #draft: MutableFields | undefined;
  /** Messages of appends applied since the draft last saw them, their text, the last seq. */
  #pending: Message[] = [];
  #pendingText = 0;
  #pendingSeq = 0;

  constructor(base: StateFields, resolve: ResolveKind) {
    this.#base = base;
    this.#resolve = resolve;
  }

  apply(event: StoredEvent): void {
    if (event.type === 'messages.appended' && event.op === undefined) {
      const { messages } = event.data;
      const text = textLengthOf((this.#draft ?? this.#base).kind, messages);
      for (const message of messages) this.#pending.push(message);
      this.#pendingText += text;
      this.#pendingSeq = event.seq;
      return;
    }
    applyEvent(this.#flushed(), event, this.#resolve);
  }

  /** The draft with every applied event in it (made now if need be). */
  #flushed(): MutableFields {
    this.#draft ??= immer.createDraft(this.#base) as unknown as MutableFields;
    const draft = this.#draft;
    if (this.#pendingSeq !== 0) {
      draft.messages = appendToList(draft.messages, this.#pending);
      draft.pendingTextLength += this.#pendingText;
      draft.seq = this.#pendingSeq;
      this.#pending = [];
      this.#pendingText = 0;
      this.#pendingSeq = 0;
    }
    return draft;
  }

  /**
   * For `finish()`, when the batch was appends alone and nothing made the draft: the fields
   * after them, made without immer (the draft would make the same object: the base's fields with
   * these three changed). A sequential writer's every batch is one append.
   */
  appendedOnly(): StateFields | undefined {
    if (this.#draft !== undefined || this.#pendingSeq === 0) return undefined;
    const fields = copyFields(this.#base);
    fields.messages = appendToList(fields.messages, this.#pending);
    fields.pendingTextLength += this.#pendingText;
    fields.seq = this.#pendingSeq;
    return fields;
  }

  /** For `finish()`: the draft with every event in it, or undefined when nothing was applied. */
  drafted(): MutableFields | undefined {
    return this.#draft === undefined && this.#pendingSeq === 0 ? undefined : this.#flushed();
  }

  get seq(): number {
    return this.#pendingSeq !== 0 ? this.#pendingSeq : (this.#draft ?? this.#base).seq;
  }
  get nextCheckpointId(): number {
    return (this.#draft ?? this.#base).nextCheckpointId;
  }
  get fields(): StateFields {
    return this.#flushed();
  }
}
