import { type ContextState, type Dialect, kimiEstimator, type Message } from '@contextlog/core';
import {
  type ContextEvent,
  CURRENT_EVENT_VERSION,
  type EventType,
  eventDataSchemasFor,
  operationFingerprint,
} from '@contextlog/core/store';
import {
  type FuzzedDialect,
  isDefaultDialect,
  kimiFuzzedDialect,
} from '../dialects/fuzzed-dialect.js';
import { sameJson } from '../json.js';
import type { EngineOperation } from './operation.js';

/** The codes an operation may be refused with, writing nothing. */
export type InvalidCode =
  | 'VALIDATION'
  | 'CHECKPOINT_NOT_FOUND'
  | 'HISTORY_MISMATCH'
  | 'OPERATION_CONFLICT';

/** What the contract says an operation does against a given state. */
export type OperationOutcome =
  /** Writes `event`, with `op` (its operation id) when the operation has one. */
  | { readonly kind: 'event'; readonly event: ContextEvent; readonly op?: string }
  /** Resolves and writes nothing: `appendMessages([])`. */
  | { readonly kind: 'noop' }
  /**
   * Its operation id is remembered for the same command: resolves with what that command
   * returned (`result`) and writes nothing.
   */
  | { readonly kind: 'repeat'; readonly result: unknown }
  /** Must reject with this error code and write nothing. */
  | { readonly kind: 'invalid'; readonly code: InvalidCode };

interface Parser {
  safeParse(data: unknown): { success: boolean; data?: unknown };
}

const INVALID_INPUT: OperationOutcome = { kind: 'invalid', code: 'VALIDATION' };

/** The parsers of a dialect's event data, and of a list of its messages (a guard). */
interface Schemas {
  readonly events: Record<EventType, Parser>;
  readonly messageList: Parser;
}
const SCHEMAS = new WeakMap<Dialect<unknown>, Schemas>();

function schemasOf(dialect: Dialect<unknown>): Schemas {
  let schemas = SCHEMAS.get(dialect);
  if (schemas === undefined) {
    schemas = {
      events: eventDataSchemasFor(dialect.schema) as unknown as Record<EventType, Parser>,
      messageList: dialect.schema.array(),
    };
    SCHEMAS.set(dialect, schemas);
  }
  return schemas;
}

/** What the model needs of the session's dialect. */
interface ModelDialect {
  readonly schemas: Schemas;
  readonly fuzzed: FuzzedDialect<unknown>;
  /** kimi-cli's: compactions and checkpoint messages are rebuilt on replay, not stored. */
  readonly isDefault: boolean;
}

function eventOf(dialect: ModelDialect, type: EventType, data: unknown): OperationOutcome {
  // Parsed with core's own schema, so the expected data has the shape the engine stores.
  const parsed = dialect.schemas.events[type].safeParse(data);
  if (!parsed.success) return INVALID_INPUT;
  return {
    kind: 'event',
    event: { type, v: CURRENT_EVENT_VERSION, data: parsed.data } as ContextEvent,
  };
}

const invalid = (code: InvalidCode): OperationOutcome => ({ kind: 'invalid', code });

/**
 * The reference model of the engine's commands: the event `operation` makes when its batch forms
 * on `state` (the state the commands before it leave), or why it must reject, for a session of
 * `dialect` (default kimi-cli's). In order: input that does not match its schema is refused; then
 * an operation id the state remembers makes a repeat (same command) or a conflict (another); then
 * the state decides (a checkpoint that is not live, an index out of range, a guard that does not
 * hold).
 */
export function expectedOutcome<M = Message>(
  operation: EngineOperation<M>,
  state: ContextState<M>,
  dialect: FuzzedDialect<M> = kimiFuzzedDialect as unknown as FuzzedDialect<M>,
): OperationOutcome {
  const fuzzed = dialect as FuzzedDialect<unknown>;
  const model: ModelDialect = {
    schemas: schemasOf(fuzzed.dialect),
    fuzzed,
    isDefault: isDefaultDialect(fuzzed),
  };
  return modelOutcome(operation as EngineOperation<unknown>, state, model);
}

function modelOutcome(
  operation: EngineOperation<unknown>,
  state: ContextState<unknown>,
  dialect: ModelDialect,
): OperationOutcome {
  const outcome = inputOutcome(operation, state, dialect);
  if (outcome.kind !== 'event') return outcome;
  const { operationId } = operation;
  if (operationId === undefined) return checkedOnState(operation, state, outcome);
  const remembered = state.operations.findLast((record) => record.id === operationId);
  if (remembered !== undefined) {
    return remembered.fingerprint === operationFingerprint(outcome.event)
      ? { kind: 'repeat', result: remembered.result }
      : invalid('OPERATION_CONFLICT');
  }
  const checked = checkedOnState(operation, state, outcome);
  return checked.kind === 'event' ? { ...checked, op: operationId } : checked;
}

/** What the state decides once the input is valid and the operation id (if any) is new. */
function checkedOnState(
  operation: EngineOperation<unknown>,
  state: ContextState<unknown>,
  outcome: OperationOutcome,
): OperationOutcome {
  const { messages } = state;
  switch (operation.kind) {
    case 'revertTo':
      return state.checkpoints.some((mark) => mark.id === operation.checkpointId)
        ? outcome
        : invalid('CHECKPOINT_NOT_FOUND');
    case 'replaceMessages': {
      if (operation.from > messages.length) return INVALID_INPUT;
      const guard = operation.expectedSuffix;
      if (guard !== undefined && !sameJson(guard, messages.slice(operation.from))) {
        return invalid('HISTORY_MISMATCH');
      }
      return outcome;
    }
    case 'replaceMessage':
      return operation.index < messages.length ? outcome : INVALID_INPUT;
    default:
      return outcome;
  }
}

/** The event of `operation` if its input is valid (before the state is looked at). */
function inputOutcome(
  operation: EngineOperation<unknown>,
  state: ContextState<unknown>,
  dialect: ModelDialect,
): OperationOutcome {
  const event = (type: EventType, data: unknown) => eventOf(dialect, type, data);
  switch (operation.kind) {
    case 'appendMessages': {
      const list = Array.isArray(operation.messages) ? operation.messages : [operation.messages];
      if (list.length === 0) return { kind: 'noop' };
      return event('messages.appended', { messages: list });
    }
    case 'recordUsage':
      return event('usage.recorded', { tokenCount: operation.tokenCount });
    case 'checkpoint':
      if (operation.addUserMessage !== undefined && typeof operation.addUserMessage !== 'boolean') {
        return INVALID_INPUT;
      }
      return checkpointOutcome(dialect, state.nextCheckpointId, operation.addUserMessage ?? false);
    case 'revertTo':
      return event('context.reverted', { checkpointId: operation.checkpointId });
    case 'clear':
      return event('context.cleared', {});
    case 'compact':
      return compactionOutcome(dialect, operation.messages, operation.tokenCount);
    case 'setSystemPrompt':
      return event('system_prompt.set', { prompt: operation.prompt });
    case 'setMetadata':
      return event('metadata.set', { key: operation.key, value: operation.value });
    case 'replaceMessages': {
      const guard = operation.expectedSuffix;
      if (guard !== undefined && !dialect.schemas.messageList.safeParse(guard).success) {
        return INVALID_INPUT;
      }
      return event('messages.replaced', { from: operation.from, messages: operation.messages });
    }
    case 'replaceMessage':
      return event('message.replaced', { index: operation.index, message: operation.message });
  }
}

/**
 * A checkpoint. A session that is not kimi-cli's stores the user message in the event (replay
 * could not rebuild it without the dialect); a dialect without one refuses `addUserMessage`.
 */
function checkpointOutcome(
  dialect: ModelDialect,
  id: number,
  addUserMessage: boolean,
): OperationOutcome {
  const outcome = eventOf(dialect, 'checkpoint.created', { id, addUserMessage });
  if (outcome.kind !== 'event' || !addUserMessage || dialect.isDefault) return outcome;
  const makeMessage = dialect.fuzzed.dialect.checkpointMessage;
  if (makeMessage === undefined) return INVALID_INPUT;
  return eventOf(dialect, 'checkpoint.created', { id, addUserMessage, message: makeMessage(id) });
}

/**
 * A compaction. Without a token count, a session that is not kimi-cli's stores its estimator's
 * estimate of the summary (replay could not make it without the dialect's text count).
 */
function compactionOutcome(
  dialect: ModelDialect,
  messages: readonly unknown[],
  tokenCount: number | undefined,
): OperationOutcome {
  if (tokenCount !== undefined)
    return eventOf(dialect, 'context.compacted', { messages, tokenCount });
  const outcome = eventOf(dialect, 'context.compacted', { messages });
  if (outcome.kind !== 'event' || dialect.isDefault) return outcome;
  const { dialect: messageDialect, estimator = kimiEstimator } = dialect.fuzzed;
  let length = 0;
  for (const message of messages) length += messageDialect.textLength(message);
  return eventOf(dialect, 'context.compacted', {
    messages,
    tokenCount: estimator.estimate(length),
  });
}

/** @deprecated use `OperationOutcome`. */
export type CommandOutcome = OperationOutcome;
