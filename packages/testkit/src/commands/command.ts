import type { CommandOptions, ContextEngine, JsonValue, Message } from '@contextlog/core';

/**
 * One engine call as plain data, so fast-check can generate, print and shrink it. Fields are
 * typed as the engine's API takes them, but may hold invalid values (a negative token count, a
 * message with an unknown role): an engine must reject those with a `ValidationError`.
 */
export type EngineCommand =
  | { readonly kind: 'appendMessages'; readonly messages: Message | readonly Message[] }
  | { readonly kind: 'recordUsage'; readonly tokenCount: number }
  | { readonly kind: 'checkpoint'; readonly addUserMessage?: boolean }
  | { readonly kind: 'revertTo'; readonly checkpointId: number }
  | { readonly kind: 'clear' }
  | {
      readonly kind: 'compact';
      readonly messages: readonly Message[];
      readonly tokenCount?: number;
    }
  | { readonly kind: 'setSystemPrompt'; readonly prompt: string }
  | { readonly kind: 'setMetadata'; readonly key: string; readonly value: JsonValue };

export type EngineCommandKind = EngineCommand['kind'];

/** Performs `command` on `engine`: what a test does with a generated command. */
export function runCommand(
  engine: ContextEngine,
  command: EngineCommand,
  options: CommandOptions = {},
): Promise<unknown> {
  switch (command.kind) {
    case 'appendMessages':
      return engine.appendMessages(command.messages, options);
    case 'recordUsage':
      return engine.recordUsage(command.tokenCount, options);
    case 'checkpoint':
      return engine.checkpoint(
        command.addUserMessage === undefined
          ? options
          : { ...options, addUserMessage: command.addUserMessage },
      );
    case 'revertTo':
      return engine.revertTo(command.checkpointId, options);
    case 'clear':
      return engine.clear(options);
    case 'compact':
      return engine.compact(
        command.messages,
        command.tokenCount === undefined ? options : { ...options, tokenCount: command.tokenCount },
      );
    case 'setSystemPrompt':
      return engine.setSystemPrompt(command.prompt, options);
    case 'setMetadata':
      return engine.setMetadata(command.key, command.value, options);
  }
}
