import type { ContextState } from '@contextlog/core';
import {
  type ContextEvent,
  CURRENT_EVENT_VERSION,
  EVENT_DATA_SCHEMAS,
  type EventType,
} from '@contextlog/core/store';
import type { EngineCommand } from './command.js';

/** What the contract says a command does against a given state. */
export type CommandOutcome =
  | { readonly kind: 'event'; readonly event: ContextEvent }
  /** Resolves and writes nothing: `appendMessages([])`. */
  | { readonly kind: 'noop' }
  /** Must reject with this error code and write nothing. */
  | { readonly kind: 'invalid'; readonly code: 'VALIDATION' | 'CHECKPOINT_NOT_FOUND' };

interface Parser {
  safeParse(data: unknown): { success: boolean; data?: unknown };
}

const INVALID_INPUT: CommandOutcome = { kind: 'invalid', code: 'VALIDATION' };

function event(type: EventType, data: unknown): CommandOutcome {
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
 * The reference model of the engine's commands: the event `command` makes when its batch forms
 * on `state` (the state the commands before it leave), or why it must reject.
 */
export function expectedOutcome(command: EngineCommand, state: ContextState): CommandOutcome {
  switch (command.kind) {
    case 'appendMessages': {
      const list = Array.isArray(command.messages) ? command.messages : [command.messages];
      if (list.length === 0) return { kind: 'noop' };
      return event('messages.appended', { messages: list });
    }
    case 'recordUsage':
      return event('usage.recorded', { tokenCount: command.tokenCount });
    case 'checkpoint':
      if (command.addUserMessage !== undefined && typeof command.addUserMessage !== 'boolean') {
        return INVALID_INPUT;
      }
      return event('checkpoint.created', {
        id: state.nextCheckpointId,
        addUserMessage: command.addUserMessage ?? false,
      });
    case 'revertTo': {
      const outcome = event('context.reverted', { checkpointId: command.checkpointId });
      if (outcome.kind !== 'event') return outcome;
      if (!state.checkpoints.some((mark) => mark.id === command.checkpointId)) {
        return { kind: 'invalid', code: 'CHECKPOINT_NOT_FOUND' };
      }
      return outcome;
    }
    case 'clear':
      return event('context.cleared', {});
    case 'compact':
      return event(
        'context.compacted',
        command.tokenCount === undefined
          ? { messages: command.messages }
          : { messages: command.messages, tokenCount: command.tokenCount },
      );
    case 'setSystemPrompt':
      return event('system_prompt.set', { prompt: command.prompt });
    case 'setMetadata':
      return event('metadata.set', { key: command.key, value: command.value });
  }
}
