import type { JsonValue, Message } from '@contextlog/core';
import fc from 'fast-check';
import type { EngineOperation } from '../operations/operation.js';
import { arbJsonValue } from './json-value.js';
import { arbMessage } from './message.js';
import { arbName, arbText } from './strings.js';

export interface ArbOperationOptions {
  /** Relative weight of operations with invalid input (default 1 against ~24 for valid ones; 0 for none). */
  readonly invalidWeight?: number;
  /** Largest checkpoint id `revertTo` names; ids above the live ones test `CheckpointNotFoundError`. */
  readonly maxCheckpointId?: number;
  /**
   * Probability that an operation carries an operation id (default 0.25), drawn from a few, so
   * that repeats (the same operation again) and conflicts (another with the same id) happen.
   */
  readonly operationIdRate?: number;
}

const arbMessages = (minLength: number) => fc.array(arbMessage(), { minLength, maxLength: 3 });

/**
 * Messages of edits and their guards: often one of a few fixed ones (which appends make too), so
 * that a guard sometimes holds; otherwise any message.
 */
const FEW_MESSAGES: readonly Message[] = [
  { role: 'user', content: 'again' },
  { role: 'assistant', content: [{ type: 'text', text: 'reply' }] },
];
const arbEditMessage = () =>
  fc.oneof(fc.constantFrom(...FEW_MESSAGES), { arbitrary: arbMessage(), weight: 2 });

/** An index of a short history, sometimes past its end. */
const arbIndex = () =>
  fc.oneof(
    { weight: 3, arbitrary: fc.nat({ max: 2 }) },
    { weight: 1, arbitrary: fc.nat({ max: 6 }) },
  );

/** `replaceMessages` (with or without a guard) and `replaceMessage`, at indices in and out of range. */
function arbEdit(): fc.Arbitrary<EngineOperation> {
  return fc.oneof(
    fc
      .record(
        {
          from: arbIndex(),
          messages: fc.array(arbEditMessage(), { maxLength: 2 }),
          // Empty holds when `from` is the history's length: "only if nothing was added".
          expectedSuffix: fc.oneof(
            fc.constant([]),
            fc.array(fc.constantFrom(...FEW_MESSAGES), { minLength: 1, maxLength: 2 }),
          ),
        },
        { requiredKeys: ['from', 'messages'] },
      )
      .map((edit): EngineOperation => ({ kind: 'replaceMessages', ...edit })),
    fc
      .record({ index: arbIndex(), message: arbEditMessage() })
      .map((edit): EngineOperation => ({ kind: 'replaceMessage', ...edit })),
  );
}

/** Inputs the engine must refuse with a `ValidationError`, writing nothing. */
function arbInvalidOperation(): fc.Arbitrary<EngineOperation> {
  const badMessage = fc.constantFrom<unknown>(
    { role: 'robot', content: 'hi' },
    { role: 'user' },
    { role: 'user', content: [{ type: 'text' }] },
    { role: 'assistant', content: 'x', tool_calls: [{ type: 'function', id: 'a' }] },
    null,
  ) as fc.Arbitrary<Message>;
  const badCount = fc.constantFrom(-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY);
  return fc.oneof(
    badMessage.map((message): EngineOperation => ({ kind: 'appendMessages', messages: [message] })),
    badCount.map((tokenCount): EngineOperation => ({ kind: 'recordUsage', tokenCount })),
    badCount.map((checkpointId): EngineOperation => ({ kind: 'revertTo', checkpointId })),
    badMessage.map((message): EngineOperation => ({ kind: 'compact', messages: [message] })),
    badMessage.map((message): EngineOperation => ({ kind: 'replaceMessage', index: 0, message })),
    badCount.map((from): EngineOperation => ({ kind: 'replaceMessages', from, messages: [] })),
    badCount.map((tokenCount): EngineOperation => ({ kind: 'compact', messages: [], tokenCount })),
    fc.constant<EngineOperation>({ kind: 'setMetadata', key: '', value: 1 }),
    fc.constant<EngineOperation>({
      kind: 'setMetadata',
      key: 'k',
      value: Number.NaN as unknown as JsonValue,
    }),
    fc.constant<EngineOperation>({ kind: 'setSystemPrompt', prompt: 42 as unknown as string }),
  );
}

/**
 * One operation (an engine call as data): every kind of engine call, `checkpoint` with and without its user message,
 * `revertTo` sometimes naming a checkpoint that does not exist, edits in and out of range (some
 * guarded), `appendMessages([])`, operation ids (some repeated), and (by default) a few invalid
 * inputs.
 */
export function arbOperation(options: ArbOperationOptions = {}): fc.Arbitrary<EngineOperation> {
  const invalidWeight = options.invalidWeight ?? 1;
  const maxCheckpointId = options.maxCheckpointId ?? 5;
  const arbitraries: fc.WeightedArbitrary<EngineOperation>[] = [
    {
      weight: 7,
      arbitrary: fc
        .oneof(
          { weight: 3, arbitrary: arbMessage() },
          { weight: 3, arbitrary: arbMessages(1) },
          { weight: 1, arbitrary: fc.constant([]) },
        )
        .map((messages): EngineOperation => ({ kind: 'appendMessages', messages })),
    },
    {
      weight: 2,
      arbitrary: fc
        .nat({ max: 100_000 })
        .map((tokenCount): EngineOperation => ({ kind: 'recordUsage', tokenCount })),
    },
    {
      weight: 3,
      arbitrary: fc
        .option(fc.boolean(), { nil: undefined })
        .map(
          (addUserMessage): EngineOperation =>
            addUserMessage === undefined
              ? { kind: 'checkpoint' }
              : { kind: 'checkpoint', addUserMessage },
        ),
    },
    {
      weight: 3,
      arbitrary: fc
        .nat({ max: maxCheckpointId })
        .map((checkpointId): EngineOperation => ({ kind: 'revertTo', checkpointId })),
    },
    { weight: 1, arbitrary: fc.constant<EngineOperation>({ kind: 'clear' }) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(arbMessages(0), fc.option(fc.nat({ max: 10_000 }), { nil: undefined }))
        .map(
          ([messages, tokenCount]): EngineOperation =>
            tokenCount === undefined
              ? { kind: 'compact', messages }
              : { kind: 'compact', messages, tokenCount },
        ),
    },
    {
      weight: 1,
      arbitrary: arbText().map((prompt): EngineOperation => ({ kind: 'setSystemPrompt', prompt })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(arbName(), arbJsonValue())
        .map(([key, value]): EngineOperation => ({ kind: 'setMetadata', key, value })),
    },
    { weight: 4, arbitrary: arbEdit() },
  ];
  if (invalidWeight > 0)
    arbitraries.push({ weight: invalidWeight, arbitrary: arbInvalidOperation() });
  const rate = Math.max(0, Math.min(1, options.operationIdRate ?? 0.25));
  if (rate === 0) return fc.oneof(...arbitraries);
  return fc
    .tuple(
      fc.oneof(...arbitraries),
      fc.oneof(
        { weight: Math.round((1 - rate) * 100), arbitrary: fc.constant(undefined) },
        { weight: Math.round(rate * 100), arbitrary: fc.constantFrom('op-1', 'op-2', 'op-3') },
      ),
    )
    .map(([operation, operationId]) =>
      operationId === undefined ? operation : { ...operation, operationId },
    );
}

export interface ArbOperationSequenceOptions extends ArbOperationOptions {
  readonly minLength?: number;
  /** Default 20. */
  readonly maxLength?: number;
}

/**
 * A list of engine calls, as a test fires them. Now and then one is a retry: an earlier call
 * again, operation id and all.
 */
export function arbOperationSequence(
  options: ArbOperationSequenceOptions = {},
): fc.Arbitrary<EngineOperation[]> {
  return fc
    .array(fc.tuple(arbOperation(options), fc.option(fc.nat(), { freq: 6, nil: undefined })), {
      minLength: options.minLength ?? 0,
      maxLength: options.maxLength ?? 20,
    })
    .map((calls) =>
      calls.map(([operation, retryOf], index) =>
        retryOf === undefined || index === 0
          ? operation
          : (calls[retryOf % index] as [EngineOperation, unknown])[0],
      ),
    );
}

/** @deprecated use `arbOperation`. */
export const arbCommand = arbOperation;
/** @deprecated use `arbOperationSequence`. */
export const arbCommandSequence = arbOperationSequence;
/** @deprecated use `ArbOperationOptions`. */
export type ArbCommandOptions = ArbOperationOptions;
/** @deprecated use `ArbOperationSequenceOptions`. */
export type ArbCommandSequenceOptions = ArbOperationSequenceOptions;
