import type { StoredEvent } from '@contextlog/core';
import { type ContextEvent, OperationIdSchema } from '@contextlog/core/store';
import fc from 'fast-check';
import { arbJsonValue } from './json-value.js';
import { arbMessage } from './message.js';
import { arbName, arbText } from './strings.js';

const count = (max = 10_000) => fc.nat({ max });

const arbMark = fc.record({
  id: count(20),
  messageCount: count(20),
  tokenCount: count(),
  pendingTextLength: count(),
});

const arbMetadata = fc.dictionary(arbName(), arbJsonValue(), { maxKeys: 3 });

/** Any event of any type, valid against its schema (not necessarily replayable in any order). */
export function arbEvent(): fc.Arbitrary<ContextEvent> {
  const v = 1 as const;
  return fc.oneof(
    arbText().map((prompt) => ({ type: 'system_prompt.set' as const, v, data: { prompt } })),
    fc
      .array(arbMessage(), { minLength: 1, maxLength: 3 })
      .map((messages) => ({ type: 'messages.appended' as const, v, data: { messages } })),
    count().map((tokenCount) => ({ type: 'usage.recorded' as const, v, data: { tokenCount } })),
    fc
      .record({ id: count(20), addUserMessage: fc.boolean() })
      .map((data) => ({ type: 'checkpoint.created' as const, v, data })),
    count(20).map((checkpointId) => ({
      type: 'context.reverted' as const,
      v,
      data: { checkpointId },
    })),
    fc.constant({ type: 'context.cleared' as const, v, data: {} }),
    fc
      .record(
        { messages: fc.array(arbMessage(), { maxLength: 3 }), tokenCount: count() },
        { requiredKeys: ['messages'] },
      )
      .map((data) => ({ type: 'context.compacted' as const, v, data })),
    fc
      .record({ key: arbName(), value: arbJsonValue() })
      .map((data) => ({ type: 'metadata.set' as const, v, data })),
    fc
      .record({
        systemPrompt: fc.option(arbText(), { nil: null }),
        messages: fc.array(arbMessage(), { maxLength: 3 }),
        tokenCount: count(),
        pendingTextLength: count(),
        nextCheckpointId: count(20),
        checkpoints: fc.array(arbMark, { maxLength: 3 }),
        metadata: arbMetadata,
      })
      .map((state) => ({ type: 'state.snapshotted' as const, v, data: { state } })),
    fc
      .record({ from: count(20), messages: fc.array(arbMessage(), { maxLength: 3 }) })
      .map((data) => ({ type: 'messages.replaced' as const, v, data })),
    fc
      .record({ index: count(20), message: arbMessage() })
      .map((data) => ({ type: 'message.replaced' as const, v, data })),
  ) as fc.Arbitrary<ContextEvent>;
}

/** Stamps events as an engine would: `seq` continuing from `afterSeq`, and an `at` time. */
export function stampEvents(
  events: readonly ContextEvent[],
  afterSeq = 0,
  at = '2026-01-01T00:00:00.000Z',
): StoredEvent[] {
  return events.map((event, index) => ({ ...event, seq: afterSeq + index + 1, at }) as StoredEvent);
}

/**
 * A batch of stored events whose seqs continue from `afterSeq`: what `EventStore.append` takes.
 * Some carry an operation id (`op`, after `data`), which a store must give back as it is.
 */
export function arbStoredEvents(
  options: {
    readonly afterSeq?: number;
    readonly minLength?: number;
    readonly maxLength?: number;
  } = {},
): fc.Arbitrary<StoredEvent[]> {
  const arbId = arbName().filter((id) => OperationIdSchema.safeParse(id).success);
  const withId = fc.tuple(arbEvent(), fc.option(arbId));
  return fc
    .array(withId, { minLength: options.minLength ?? 1, maxLength: options.maxLength ?? 8 })
    .map((pairs) =>
      stampEvents(
        pairs.map(([event]) => event),
        options.afterSeq ?? 0,
      ).map((event, index) => {
        const op = pairs[index]?.[1];
        return op === null || op === undefined ? event : ({ ...event, op } as StoredEvent);
      }),
    );
}
