import type { JsonValue, Message } from '@contextlog/core';
import fc from 'fast-check';
import type { EngineCommand } from '../commands/command.js';
import { arbJsonValue } from './json-value.js';
import { arbMessage } from './message.js';
import { arbName, arbText } from './strings.js';

export interface ArbCommandOptions {
  /** Relative weight of commands with invalid input (default 1 against ~20 for valid ones; 0 for none). */
  readonly invalidWeight?: number;
  /** Largest checkpoint id `revertTo` names; ids above the live ones test `CheckpointNotFoundError`. */
  readonly maxCheckpointId?: number;
}

const arbMessages = (minLength: number) => fc.array(arbMessage(), { minLength, maxLength: 3 });

/** Inputs the engine must refuse with a `ValidationError`, writing nothing. */
function arbInvalidCommand(): fc.Arbitrary<EngineCommand> {
  const badMessage = fc.constantFrom<unknown>(
    { role: 'robot', content: 'hi' },
    { role: 'user' },
    { role: 'user', content: [{ type: 'text' }] },
    { role: 'assistant', content: 'x', tool_calls: [{ type: 'function', id: 'a' }] },
    null,
  ) as fc.Arbitrary<Message>;
  const badCount = fc.constantFrom(-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY);
  return fc.oneof(
    badMessage.map((message): EngineCommand => ({ kind: 'appendMessages', messages: [message] })),
    badCount.map((tokenCount): EngineCommand => ({ kind: 'recordUsage', tokenCount })),
    badCount.map((checkpointId): EngineCommand => ({ kind: 'revertTo', checkpointId })),
    badMessage.map((message): EngineCommand => ({ kind: 'compact', messages: [message] })),
    badCount.map((tokenCount): EngineCommand => ({ kind: 'compact', messages: [], tokenCount })),
    fc.constant<EngineCommand>({ kind: 'setMetadata', key: '', value: 1 }),
    fc.constant<EngineCommand>({
      kind: 'setMetadata',
      key: 'k',
      value: Number.NaN as unknown as JsonValue,
    }),
    fc.constant<EngineCommand>({ kind: 'setSystemPrompt', prompt: 42 as unknown as string }),
  );
}

/**
 * One engine call: every command kind, `checkpoint` with and without its user message,
 * `revertTo` sometimes naming a checkpoint that does not exist, `appendMessages([])`, and (by
 * default) a few invalid inputs.
 */
export function arbCommand(options: ArbCommandOptions = {}): fc.Arbitrary<EngineCommand> {
  const invalidWeight = options.invalidWeight ?? 1;
  const maxCheckpointId = options.maxCheckpointId ?? 5;
  const arbitraries: fc.WeightedArbitrary<EngineCommand>[] = [
    {
      weight: 7,
      arbitrary: fc
        .oneof(
          { weight: 3, arbitrary: arbMessage() },
          { weight: 3, arbitrary: arbMessages(1) },
          { weight: 1, arbitrary: fc.constant([]) },
        )
        .map((messages): EngineCommand => ({ kind: 'appendMessages', messages })),
    },
    {
      weight: 2,
      arbitrary: fc
        .nat({ max: 100_000 })
        .map((tokenCount): EngineCommand => ({ kind: 'recordUsage', tokenCount })),
    },
    {
      weight: 3,
      arbitrary: fc
        .option(fc.boolean(), { nil: undefined })
        .map(
          (addUserMessage): EngineCommand =>
            addUserMessage === undefined
              ? { kind: 'checkpoint' }
              : { kind: 'checkpoint', addUserMessage },
        ),
    },
    {
      weight: 3,
      arbitrary: fc
        .nat({ max: maxCheckpointId })
        .map((checkpointId): EngineCommand => ({ kind: 'revertTo', checkpointId })),
    },
    { weight: 1, arbitrary: fc.constant<EngineCommand>({ kind: 'clear' }) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(arbMessages(0), fc.option(fc.nat({ max: 10_000 }), { nil: undefined }))
        .map(
          ([messages, tokenCount]): EngineCommand =>
            tokenCount === undefined
              ? { kind: 'compact', messages }
              : { kind: 'compact', messages, tokenCount },
        ),
    },
    {
      weight: 1,
      arbitrary: arbText().map((prompt): EngineCommand => ({ kind: 'setSystemPrompt', prompt })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(arbName(), arbJsonValue())
        .map(([key, value]): EngineCommand => ({ kind: 'setMetadata', key, value })),
    },
  ];
  if (invalidWeight > 0)
    arbitraries.push({ weight: invalidWeight, arbitrary: arbInvalidCommand() });
  return fc.oneof(...arbitraries);
}

export interface ArbCommandSequenceOptions extends ArbCommandOptions {
  readonly minLength?: number;
  /** Default 20. */
  readonly maxLength?: number;
}

/** A list of engine calls, as a test fires them. */
export function arbCommandSequence(
  options: ArbCommandSequenceOptions = {},
): fc.Arbitrary<EngineCommand[]> {
  return fc.array(arbCommand(options), {
    minLength: options.minLength ?? 0,
    maxLength: options.maxLength ?? 20,
  });
}
