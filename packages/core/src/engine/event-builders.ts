import { z } from 'zod';
import type { Dialect } from '../dialect/dialect.js';
import type { SessionKind } from '../dialect/session-kind.js';
import { ValidationError } from '../errors/index.js';
import { freezeCheckedData, type JsonValue } from '../events/json.js';
import { checkJsonData } from '../events/json-data.js';
import {
  type ContextEvent,
  CURRENT_EVENT_VERSION,
  type EventData,
  type EventType,
  eventDataSchemasFor,
} from '../events/schemas.js';
import { toValidationError } from '../events/zod-issues.js';
import type { BatchFold } from '../projection/fold.js';
import { checkExpectedSuffix, type ReplaceGuard } from './history-guard.js';

// The event builders: each engine method (a command) turns its arguments into one event here.

/** A command as its operation id's fingerprint takes it: type and validated data. */
export interface CommandData {
  readonly type: EventType;
  readonly data: unknown;
}

/**
 * A command's event is made at batch formation from the state the commands before it left, so
 * `checkpoint()` gets its id then and `revertTo` is checked against the marks then live.
 */
export type BuildEvent = ((fold: BatchFold) => ContextEvent) & { readonly command: CommandData };

// One compiled parser per dialect and event type, made on first use: every command validates its
// data at call time, so this is the engine's hot path (as `parseStoredEvent` is replay's).
const DATA_PARSERS = new WeakMap<Dialect, Map<EventType, z.ZodType>>();

function dataParser(dialect: Dialect, type: EventType): z.ZodType {
  let parsers = DATA_PARSERS.get(dialect);
  if (parsers === undefined) {
    parsers = new Map();
    DATA_PARSERS.set(dialect, parsers);
  }
  let parser = parsers.get(type);
  if (parser === undefined) {
    parser = z.compile(eventDataSchemasFor(dialect.schema)[type] as z.ZodType);
    parsers.set(type, parser);
  }
  return parser;
}

/**
 * Validates a command's data against its event schema now, at call time, naming the field; then
 * checks that what the schema let through (fields it does not know) is JSON that reads back as
 * itself, and freezes it.
 */
function validData<T extends EventType>(dialect: Dialect, type: T, data: unknown): EventData<T> {
  const parsed = dataParser(dialect, type).safeParse(data);
  if (!parsed.success) throw toValidationError(parsed.error);
  return freezeCheckedData(checkJsonData(parsed.data)) as EventData<T>;
}

const builder = (build: (fold: BatchFold) => ContextEvent, command: CommandData): BuildEvent =>
  Object.assign(build, { command });

/** Builds the events of one engine's commands, for messages of its session's dialect. */
export interface EventBuilders<M> {
  systemPrompt(prompt: string): BuildEvent;
  messages(messages: readonly M[]): BuildEvent;
  usage(tokenCount: number): BuildEvent;
  clear(): BuildEvent;
  metadata(key: string, value: JsonValue): BuildEvent;
  compaction(messages: readonly M[], tokenCount: number | undefined): BuildEvent;
  checkpoint(addUserMessage: boolean): BuildEvent;
  revert(checkpointId: number): BuildEvent;
  /**
   * `replaceMessages`: the data is validated now; whether `from` is in the history, and the
   * guard, are checked when the batch forms, against the history the commands before it left (the
   * fold checks `from` again on replay).
   */
  replaceMessages(
    from: number,
    messages: readonly M[],
    guard: ReplaceGuard | undefined,
  ): BuildEvent;
  /** `replaceMessage`: `index` is checked against the history when the batch folds the event. */
  replaceMessage(index: number, message: M): BuildEvent;
  declaration(kind: SessionKind): BuildEvent;
}

/**
 * The builders for a session of `kind`, whose messages `dialect` validates. A kimi-cli session's
 * events are written as they always were; any other kind stores what replay could not rebuild
 * without the dialect's code: a compaction's token estimate, a checkpoint's user message.
 */
export function createEventBuilders<M>(
  dialect: Dialect<M>,
  kind: () => SessionKind,
): EventBuilders<M> {
  const valid = <T extends EventType>(type: T, data: unknown) =>
    validData(dialect as Dialect, type, data);
  const fixed = <T extends EventType>(type: T, data: unknown): BuildEvent => {
    const event = Object.freeze({ type, v: CURRENT_EVENT_VERSION, data: valid(type, data) });
    return builder(() => event as ContextEvent, event);
  };
  return {
    systemPrompt: (prompt) => fixed('system_prompt.set', { prompt }),
    messages: (messages) => fixed('messages.appended', { messages }),
    usage: (tokenCount) => fixed('usage.recorded', { tokenCount }),
    clear: () => fixed('context.cleared', {}),
    metadata: (key, value) => fixed('metadata.set', { key, value }),
    compaction(messages, tokenCount) {
      const current = kind();
      if (tokenCount !== undefined || current.isDefault) {
        return fixed(
          'context.compacted',
          tokenCount === undefined ? { messages } : { messages, tokenCount },
        );
      }
      // Validated first: the estimate reads the messages.
      const data = valid('context.compacted', { messages });
      let length = 0;
      for (const message of data.messages) length += current.textLength(message);
      const estimate = current.estimate(length);
      if (estimate === null) {
        throw new ValidationError(
          `tokenCount: required, since this engine cannot estimate for the session's estimator "${current.estimator}" (pass it, or open the engine with that estimator)`,
          'tokenCount',
        );
      }
      return fixed('context.compacted', { messages, tokenCount: estimate });
    },
    checkpoint(addUserMessage) {
      valid('checkpoint.created', { id: 0, addUserMessage });
      const makeMessage = dialect.checkpointMessage;
      const rebuilt = kind().isDefault;
      if (addUserMessage && !rebuilt && makeMessage === undefined) {
        throw new ValidationError(
          `addUserMessage: the dialect ${dialect.name} v${dialect.version} has no checkpoint message`,
          'addUserMessage',
        );
      }
      return builder(
        (fold) => {
          const id = fold.nextCheckpointId;
          if (!addUserMessage || rebuilt || makeMessage === undefined) {
            return Object.freeze({
              type: 'checkpoint.created' as const,
              v: CURRENT_EVENT_VERSION,
              data: Object.freeze({ id, addUserMessage }),
            });
          }
          const data = valid('checkpoint.created', {
            id,
            addUserMessage,
            message: makeMessage(id),
          });
          return Object.freeze({
            type: 'checkpoint.created' as const,
            v: CURRENT_EVENT_VERSION,
            data,
          });
        },
        { type: 'checkpoint.created', data: { addUserMessage } },
      );
    },
    // Whether the mark is live is checked when the batch folds the event (the fold throws
    // CheckpointNotFoundError before anything changes), against the marks the commands before it left.
    revert: (checkpointId) => fixed('context.reverted', { checkpointId }),
    replaceMessages(from, messages, guard) {
      const event = Object.freeze({
        type: 'messages.replaced' as const,
        v: CURRENT_EVENT_VERSION,
        data: valid('messages.replaced', { from, messages }),
      });
      return builder((fold) => {
        checkExpectedSuffix(fold.fields.messages, from, guard);
        return event;
      }, event);
    },
    replaceMessage: (index, message) => fixed('message.replaced', { index, message }),
    declaration: (declared) =>
      fixed('session.declared', { dialect: declared.dialect, estimator: declared.estimator }),
  };
}
