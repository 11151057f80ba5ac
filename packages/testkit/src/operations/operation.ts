import type { CommandOptions, ContextEngine, JsonValue, Message } from '@contextlog/core';

/**
 * An operation: one engine call as plain data, so fast-check can generate, print and shrink it. Fields are
 * typed as the engine's API takes them, but may hold invalid values (a negative token count, a
 * message with an unknown role): an engine must reject those with a `ValidationError`. Any
 * operation may carry an `operationId` (`CommandOptions.operationId`).
 */
export type EngineOperation<M = Message> = EngineCall<M> & { readonly operationId?: string };

type EngineCall<M> =
  | { readonly kind: 'appendMessages'; readonly messages: M | readonly M[] }
  | { readonly kind: 'recordUsage'; readonly tokenCount: number }
  | { readonly kind: 'checkpoint'; readonly addUserMessage?: boolean }
  | { readonly kind: 'revertTo'; readonly checkpointId: number }
  | { readonly kind: 'clear' }
  | {
      readonly kind: 'compact';
      readonly messages: readonly M[];
      readonly tokenCount?: number;
    }
  | { readonly kind: 'setSystemPrompt'; readonly prompt: string }
  | { readonly kind: 'setMetadata'; readonly key: string; readonly value: JsonValue }
  | {
      readonly kind: 'replaceMessages';
      readonly from: number;
      readonly messages: readonly M[];
      readonly expectedSuffix?: readonly M[];
    }
  | { readonly kind: 'replaceMessage'; readonly index: number; readonly message: M };

export type EngineOperationKind = EngineOperation['kind'];

/** Performs `operation` on `engine`: what a test does with a generated operation. */
export function runOperation<M>(
  engine: ContextEngine<M>,
  operation: EngineOperation<M>,
  callOptions: CommandOptions = {},
): Promise<unknown> {
  // core's engine.property.test.ts switches alike: core's tests cannot import testkit.
  const options =
    operation.operationId === undefined
      ? callOptions
      : { ...callOptions, operationId: operation.operationId };
  switch (operation.kind) {
    case 'appendMessages':
      return engine.appendMessages(operation.messages, options);
    case 'recordUsage':
      return engine.recordUsage(operation.tokenCount, options);
    // An option goes in only when set: exactOptionalPropertyTypes refuses an explicit undefined.
    case 'checkpoint':
      return engine.checkpoint(
        operation.addUserMessage === undefined
          ? options
          : { ...options, addUserMessage: operation.addUserMessage },
      );
    case 'revertTo':
      return engine.revertTo(operation.checkpointId, options);
    case 'clear':
      return engine.clear(options);
    case 'compact':
      return engine.compact(
        operation.messages,
        operation.tokenCount === undefined
          ? options
          : { ...options, tokenCount: operation.tokenCount },
      );
    case 'setSystemPrompt':
      return engine.setSystemPrompt(operation.prompt, options);
    case 'setMetadata':
      return engine.setMetadata(operation.key, operation.value, options);
    case 'replaceMessages':
      return engine.replaceMessages(
        operation.from,
        operation.messages,
        operation.expectedSuffix === undefined
          ? options
          : { ...options, expectedSuffix: operation.expectedSuffix },
      );
    case 'replaceMessage':
      return engine.replaceMessage(operation.index, operation.message, options);
  }
}

/** @deprecated use `EngineOperation` (testkit's model of an engine call is an operation). */
export type EngineCommand<M = Message> = EngineOperation<M>;
/** @deprecated use `EngineOperationKind`. */
export type EngineCommandKind = EngineOperationKind;
/** @deprecated use `runOperation`. */
export const runCommand = runOperation;
