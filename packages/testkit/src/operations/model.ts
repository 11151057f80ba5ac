import { type ContextState, MessageSchema } from '@contextlog/core';
import {
  type ContextEvent,
  CURRENT_EVENT_VERSION,
  EVENT_DATA_SCHEMAS,
  type EventType,
  operationFingerprint,
} from '@contextlog/core/store';
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

function event(type: EventType, data: unknown): OperationOutcome {
  // Parsed with core's own schema, so the expected data has the shape the engine stores.
  const schema = EVENT_DATA_SCHEMAS[type] as unknown as Parser;
  const parsed = schema.safeParse(data);
  if (!parsed.success) return INVALID_INPUT;
  return {
    kind: 'event',
    event: { type, v: CURRENT_EVENT_VERSION, data: parsed.data } as ContextEvent,
  };
}

const invalid = (code: InvalidCode): OperationOutcome => ({ kind: 'invalid', code });

/**
 * The reference model of the engine's commands: the event `operation` makes when its batch forms
 * on `state` (the state the commands before it leave), or why it must reject. In order: input
 * that does not match its schema is refused; then an operation id the state remembers makes a
 * repeat (same command) or a conflict (another); then the state decides (a checkpoint that is not
 * live, an index out of range, a guard that does not hold).
 */
export function expectedOutcome(operation: EngineOperation, state: ContextState): OperationOutcome {
  const outcome = inputOutcome(operation, state);
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
  operation: EngineOperation,
  state: ContextState,
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

const arrayOfMessages = MessageSchema.array();

/** The event of `operation` if its input is valid (before the state is looked at). */
function inputOutcome(operation: EngineOperation, state: ContextState): OperationOutcome {
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
      return event('checkpoint.created', {
        id: state.nextCheckpointId,
        addUserMessage: operation.addUserMessage ?? false,
      });
    case 'revertTo':
      return event('context.reverted', { checkpointId: operation.checkpointId });
    case 'clear':
      return event('context.cleared', {});
    case 'compact':
      return event(
        'context.compacted',
        operation.tokenCount === undefined
          ? { messages: operation.messages }
          : { messages: operation.messages, tokenCount: operation.tokenCount },
      );
    case 'setSystemPrompt':
      return event('system_prompt.set', { prompt: operation.prompt });
    case 'setMetadata':
      return event('metadata.set', { key: operation.key, value: operation.value });
    case 'replaceMessages': {
      const guard = operation.expectedSuffix;
      if (guard !== undefined && !arrayOfMessages.safeParse(guard).success) return INVALID_INPUT;
      return event('messages.replaced', { from: operation.from, messages: operation.messages });
    }
    case 'replaceMessage':
      return event('message.replaced', { index: operation.index, message: operation.message });
  }
}

/** @deprecated use `OperationOutcome`. */
export type CommandOutcome = OperationOutcome;
