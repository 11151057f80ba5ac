import { fc } from '@fast-check/vitest';
import type { Message } from '../events/message.js';
import type { StoredEvent } from '../events/schemas.js';

/** An event before its seq, time and version (a union of one object type per event type). */
export type Body = StoredEvent extends infer E
  ? E extends StoredEvent
    ? Omit<E, 'seq' | 'at' | 'v'>
    : never
  : never;

/**
 * The events that build a history, for the fold's property tests: appends, usage, checkpoints
 * and reverts (checkpoint ids up to `maxId`, so that reverts often find their mark and sometimes
 * do not), and the two edits at indices up to `maxIndex` (some past the end: refused).
 */
export function historyBodies(
  arbMessage: fc.Arbitrary<Message>,
  { maxId, maxIndex }: { readonly maxId: number; readonly maxIndex: number },
): fc.WeightedArbitrary<Body>[] {
  return [
    {
      weight: 5,
      arbitrary: fc
        .array(arbMessage, { minLength: 1, maxLength: 3 })
        .map((messages): Body => ({ type: 'messages.appended', data: { messages } })),
    },
    {
      weight: 2,
      arbitrary: fc
        .nat(50)
        .map((tokenCount): Body => ({ type: 'usage.recorded', data: { tokenCount } })),
    },
    {
      weight: 2,
      arbitrary: fc
        .record({ id: fc.nat(maxId), addUserMessage: fc.boolean() })
        .map((data): Body => ({ type: 'checkpoint.created', data })),
    },
    {
      weight: 2,
      arbitrary: fc
        .nat(maxId)
        .map((checkpointId): Body => ({ type: 'context.reverted', data: { checkpointId } })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.nat(maxIndex), fc.array(arbMessage, { maxLength: 2 }))
        .map(([from, messages]): Body => ({ type: 'messages.replaced', data: { from, messages } })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.nat(maxIndex), arbMessage)
        .map(([index, message]): Body => ({ type: 'message.replaced', data: { index, message } })),
    },
  ];
}
