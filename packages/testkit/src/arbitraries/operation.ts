import type { JsonValue, Message } from '@contextlog/core';
import fc from 'fast-check';
import {
  type FuzzedDialect,
  fewMessagesOf,
  kimiFuzzedDialect,
} from '../dialects/fuzzed-dialect.js';
import type { EngineOperation } from '../operations/operation.js';
import { arbJsonValue } from './json-value.js';
import { arbName, arbText } from './strings.js';

export interface ArbOperationOptions<M = Message> {
  /** The session's dialect: what messages look like (default kimi-cli's). */
  readonly dialect?: FuzzedDialect<M>;
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

/** The arbitraries of one dialect's messages that the operations draw from. */
interface MessageArbitraries<M> {
  /** Any message. */
  readonly any: () => fc.Arbitrary<M>;
  readonly list: (minLength: number) => fc.Arbitrary<M[]>;
  /**
   * Messages of edits and their guards: often one of a few fixed ones (which appends make too),
   * so that a guard sometimes holds; otherwise any message.
   */
  readonly edit: () => fc.Arbitrary<M>;
  readonly few: () => fc.Arbitrary<M>;
  /** Values the dialect refuses, typed as messages (the engine must refuse them). */
  readonly invalid: () => fc.Arbitrary<M>;
}

function messageArbitraries<M>(fuzzed: FuzzedDialect<M>): MessageArbitraries<M> {
  const few = fewMessagesOf(fuzzed);
  const arbFew = () => fc.constantFrom(...few);
  return {
    any: fuzzed.arbMessage,
    list: (minLength) => fc.array(fuzzed.arbMessage(), { minLength, maxLength: 3 }),
    edit: () => fc.oneof(arbFew(), { arbitrary: fuzzed.arbMessage(), weight: 2 }),
    few: arbFew,
    invalid: () => fc.constantFrom(...fuzzed.invalidMessages) as fc.Arbitrary<M>,
  };
}

/** An index of a short history, sometimes past its end. */
const arbIndex = () =>
  fc.oneof(
    { weight: 3, arbitrary: fc.nat({ max: 2 }) },
    { weight: 1, arbitrary: fc.nat({ max: 6 }) },
  );

/** `replaceMessages` (with or without a guard) and `replaceMessage`, at indices in and out of range. */
function arbEdit<M>(messages: MessageArbitraries<M>): fc.Arbitrary<EngineOperation<M>> {
  return fc.oneof(
    fc
      .record(
        {
          from: arbIndex(),
          messages: fc.array(messages.edit(), { maxLength: 2 }),
          // Empty holds when `from` is the history's length: "only if nothing was added".
          expectedSuffix: fc.oneof(
            fc.constant([]),
            fc.array(messages.few(), { minLength: 1, maxLength: 2 }),
          ),
        },
        { requiredKeys: ['from', 'messages'] },
      )
      .map((edit): EngineOperation<M> => ({ kind: 'replaceMessages', ...edit })),
    fc
      .record({ index: arbIndex(), message: messages.edit() })
      .map((edit): EngineOperation<M> => ({ kind: 'replaceMessage', ...edit })),
  );
}

/** Inputs the engine must refuse with a `ValidationError`, writing nothing. */
function arbInvalidOperation<M>(messages: MessageArbitraries<M>): fc.Arbitrary<EngineOperation<M>> {
  type Operation = EngineOperation<M>;
  const badMessage = messages.invalid();
  const badCount = fc.constantFrom(-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY);
  return fc.oneof(
    badMessage.map((message): Operation => ({ kind: 'appendMessages', messages: [message] })),
    badCount.map((tokenCount): Operation => ({ kind: 'recordUsage', tokenCount })),
    badCount.map((checkpointId): Operation => ({ kind: 'revertTo', checkpointId })),
    badMessage.map((message): Operation => ({ kind: 'compact', messages: [message] })),
    badMessage.map((message): Operation => ({ kind: 'replaceMessage', index: 0, message })),
    badCount.map((from): Operation => ({ kind: 'replaceMessages', from, messages: [] })),
    badCount.map((tokenCount): Operation => ({ kind: 'compact', messages: [], tokenCount })),
    fc.constant<Operation>({ kind: 'setMetadata', key: '', value: 1 }),
    fc.constant<Operation>({
      kind: 'setMetadata',
      key: 'k',
      value: Number.NaN as unknown as JsonValue,
    }),
    fc.constant<Operation>({ kind: 'setSystemPrompt', prompt: 42 as unknown as string }),
  );
}

/**
 * One operation (an engine call as data): every kind of engine call, `checkpoint` with and without its user message,
 * `revertTo` sometimes naming a checkpoint that does not exist, edits in and out of range (some
 * guarded), `appendMessages([])`, operation ids (some repeated), and (by default) a few invalid
 * inputs.
 */
export function arbOperation<M = Message>(
  options: ArbOperationOptions<M> = {},
): fc.Arbitrary<EngineOperation<M>> {
  type Operation = EngineOperation<M>;
  const messages = messageArbitraries(
    options.dialect ?? (kimiFuzzedDialect as unknown as FuzzedDialect<M>),
  );
  const invalidWeight = options.invalidWeight ?? 1;
  const maxCheckpointId = options.maxCheckpointId ?? 5;
  const arbitraries: fc.WeightedArbitrary<Operation>[] = [
    {
      weight: 7,
      arbitrary: fc
        .oneof(
          { weight: 3, arbitrary: messages.any() },
          { weight: 3, arbitrary: messages.list(1) },
          { weight: 1, arbitrary: fc.constant<M[]>([]) },
        )
        .map((messages): Operation => ({ kind: 'appendMessages', messages })),
    },
    {
      weight: 2,
      arbitrary: fc
        .nat({ max: 100_000 })
        .map((tokenCount): Operation => ({ kind: 'recordUsage', tokenCount })),
    },
    {
      weight: 3,
      arbitrary: fc
        .option(fc.boolean(), { nil: undefined })
        .map(
          (addUserMessage): Operation =>
            addUserMessage === undefined
              ? { kind: 'checkpoint' }
              : { kind: 'checkpoint', addUserMessage },
        ),
    },
    {
      weight: 3,
      arbitrary: fc
        .nat({ max: maxCheckpointId })
        .map((checkpointId): Operation => ({ kind: 'revertTo', checkpointId })),
    },
    { weight: 1, arbitrary: fc.constant<Operation>({ kind: 'clear' }) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(messages.list(0), fc.option(fc.nat({ max: 10_000 }), { nil: undefined }))
        .map(
          ([messages, tokenCount]): Operation =>
            tokenCount === undefined
              ? { kind: 'compact', messages }
              : { kind: 'compact', messages, tokenCount },
        ),
    },
    {
      weight: 1,
      arbitrary: arbText().map((prompt): Operation => ({ kind: 'setSystemPrompt', prompt })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(arbName(), arbJsonValue())
        .map(([key, value]): Operation => ({ kind: 'setMetadata', key, value })),
    },
    { weight: 4, arbitrary: arbEdit(messages) },
  ];
  if (invalidWeight > 0)
    arbitraries.push({ weight: invalidWeight, arbitrary: arbInvalidOperation(messages) });
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

export interface ArbOperationSequenceOptions<M = Message> extends ArbOperationOptions<M> {
  readonly minLength?: number;
  /** Default 20. */
  readonly maxLength?: number;
}

/**
 * A list of engine calls, as a test fires them. Now and then one is a retry: an earlier call
 * again, operation id and all.
 */
export function arbOperationSequence<M = Message>(
  options: ArbOperationSequenceOptions<M> = {},
): fc.Arbitrary<EngineOperation<M>[]> {
  return fc
    .array(fc.tuple(arbOperation(options), fc.option(fc.nat(), { freq: 6, nil: undefined })), {
      minLength: options.minLength ?? 0,
      maxLength: options.maxLength ?? 20,
    })
    .map((calls) =>
      calls.map(([operation, retryOf], index) =>
        retryOf === undefined || index === 0
          ? operation
          : (calls[retryOf % index] as [EngineOperation<M>, unknown])[0],
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
