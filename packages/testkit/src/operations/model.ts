import type { ContextState } from '@contextlog/core';
import {
  type ContextEvent,
  CURRENT_EVENT_VERSION,
  EVENT_DATA_SCHEMAS,
  type EventType,
} from '@contextlog/core/store';
import type { EngineOperation } from './operation.js';

/** What the contract says an operation does against a given state. */
export type OperationOutcome =
  | { readonly kind: 'event'; readonly event: ContextEvent }
  /** Resolves and writes nothing: `appendMessages([])`. */
  | { readonly kind: 'noop' }
  /** Must reject with this error code and write nothing. */
  | { readonly kind: 'invalid'; readonly code: 'VALIDATION' | 'CHECKPOINT_NOT_FOUND' };

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

/**
 * The reference model of the engine's commands: the event `operation` makes when its batch forms
 * on `state` (the state the commands before it leave), or why it must reject.
 */
export function expectedOutcome(operation: EngineOperation, state: ContextState): OperationOutcome {
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
    case 'revertTo': {
      const outcome = event('context.reverted', { checkpointId: operation.checkpointId });
      if (outcome.kind !== 'event') return outcome;
      if (!state.checkpoints.some((mark) => mark.id === operation.checkpointId)) {
        return { kind: 'invalid', code: 'CHECKPOINT_NOT_FOUND' };
      }
      return outcome;
    }
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
  }
}

/** @deprecated use `OperationOutcome`. */
export type CommandOutcome = OperationOutcome;
