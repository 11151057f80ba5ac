import { z } from 'zod';
import { freezeCheckedData, type JsonValue } from '../events/json.js';
import { checkJsonData } from '../events/json-data.js';
import type { Message } from '../events/message.js';
import {
  type ContextEvent,
  CURRENT_EVENT_VERSION,
  EVENT_DATA_SCHEMAS,
  type EventData,
  type EventType,
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

// One compiled parser per event type, made on first use: every command validates its data at call
// time, so this is the engine's hot path (as `parseStoredEvent` is replay's).
const DATA_PARSERS = new Map<EventType, z.ZodType>();

function dataParser(type: EventType): z.ZodType {
  let parser = DATA_PARSERS.get(type);
  if (parser === undefined) {
    parser = z.compile(EVENT_DATA_SCHEMAS[type] as z.ZodType);
    DATA_PARSERS.set(type, parser);
  }
  return parser;
}

/**
 * Validates a command's data against its event schema now, at call time, naming the field; then
 * checks that what the schema let through (fields it does not know) is JSON that reads back as
 * itself, and freezes it.
 */
function validData<T extends EventType>(type: T, data: unknown): EventData<T> {
  const parsed = dataParser(type).safeParse(data);
  if (!parsed.success) throw toValidationError(parsed.error);
  return freezeCheckedData(checkJsonData(parsed.data)) as EventData<T>;
}

const builder = (build: (fold: BatchFold) => ContextEvent, command: CommandData): BuildEvent =>
  Object.assign(build, { command });

function fixed<T extends EventType>(type: T, data: unknown): BuildEvent {
  const event = Object.freeze({ type, v: CURRENT_EVENT_VERSION, data: validData(type, data) });
  return builder(() => event as ContextEvent, event);
}

export const buildSystemPromptEvent = (prompt: string): BuildEvent =>
  fixed('system_prompt.set', { prompt });

export const buildMessagesEvent = (messages: readonly Message[]): BuildEvent =>
  fixed('messages.appended', { messages });

export const buildUsageEvent = (tokenCount: number): BuildEvent =>
  fixed('usage.recorded', { tokenCount });

export const buildClearEvent = (): BuildEvent => fixed('context.cleared', {});

export const buildMetadataEvent = (key: string, value: JsonValue): BuildEvent =>
  fixed('metadata.set', { key, value });

export function buildCompactionEvent(
  messages: readonly Message[],
  tokenCount: number | undefined,
): BuildEvent {
  return fixed(
    'context.compacted',
    tokenCount === undefined ? { messages } : { messages, tokenCount },
  );
}

export function buildCheckpointEvent(addUserMessage: boolean): BuildEvent {
  validData('checkpoint.created', { id: 0, addUserMessage });
  return builder(
    (fold) =>
      Object.freeze({
        type: 'checkpoint.created' as const,
        v: CURRENT_EVENT_VERSION,
        data: Object.freeze({ id: fold.nextCheckpointId, addUserMessage }),
      }),
    { type: 'checkpoint.created', data: { addUserMessage } },
  );
}

// Whether the mark is live is checked when the batch folds the event (the fold throws
// CheckpointNotFoundError before anything changes), against the marks the commands before it left.
export const buildRevertEvent = (checkpointId: number): BuildEvent =>
  fixed('context.reverted', { checkpointId });

/**
 * `replaceMessages`: the data is validated now; whether `from` is in the history, and the guard,
 * are checked when the batch forms, against the history the commands before it left (the fold
 * checks `from` again on replay).
 */
export function buildReplaceMessagesEvent(
  from: number,
  messages: readonly Message[],
  guard: ReplaceGuard | undefined,
): BuildEvent {
  const event = Object.freeze({
    type: 'messages.replaced' as const,
    v: CURRENT_EVENT_VERSION,
    data: validData('messages.replaced', { from, messages }),
  });
  return builder((fold) => {
    checkExpectedSuffix(fold.fields.messages, from, guard);
    return event;
  }, event);
}

/** `replaceMessage`: `index` is checked against the history when the batch folds the event. */
export const buildReplaceMessageEvent = (index: number, message: Message): BuildEvent =>
  fixed('message.replaced', { index, message });
