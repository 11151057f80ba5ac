import type { StoredEvent } from '@contextlog/core';
import type { ContextEvent } from '@contextlog/core/store';
import fc from 'fast-check';
import { arbEvent, stampEvents } from '../arbitraries/event.js';
import { fuzzRuns } from '../check-engine/check-engine.js';
import { expectLog, type StoreCheck, withStore } from './support.js';

/** Runs `change`, ignoring the TypeError strict mode throws for a frozen object. */
function attempt(change: () => void): void {
  try {
    change();
  } catch {
    // A frozen object refused the change: a store that freezes what it hands out is fine.
  }
}

/**
 * Changes every part of a JSON value in place, as a careless caller might: every string, number
 * and boolean replaced, a key or an element added to every object and array. Frozen parts stay.
 */
function scribble(value: unknown): void {
  if (typeof value !== 'object' || value === null) return;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const child = record[key];
    if (typeof child === 'object' && child !== null) scribble(child);
    else attempt(() => (record[key] = scribbled(child)));
  }
  attempt(() => {
    if (Array.isArray(value)) value.push('scribbled');
    else record.scribbled = true;
  });
}

function scribbled(leaf: unknown): unknown {
  if (typeof leaf === 'string') return `${leaf} (changed)`;
  if (typeof leaf === 'number') return leaf + 1;
  if (typeof leaf === 'boolean') return !leaf;
  return 'scribbled';
}

/** A fresh copy of JSON data: what the caller hands to `append`, to scribble on later. */
const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * An event whose message has a field the schema does not know, holding objects: such fields
 * pass validation as they are, so a store that copies only what the schema knows keeps the
 * caller's objects there.
 */
function withUnknownField(): ContextEvent[] {
  const message = {
    role: 'user' as const,
    content: [{ type: 'text' as const, text: 'hi' }],
    meta: { tags: ['a', { deep: 'b' }] },
  };
  return [{ type: 'messages.appended', v: 1, data: { messages: [message] } }];
}

/**
 * What `append` was given and what `load` yielded belong to the caller: changing them later
 * (however deep) must never change what a later `load` returns.
 */
export const checkCallerObjects: StoreCheck = async (makeStore) => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.array(arbEvent(), { minLength: 1, maxLength: 4 }), { maxLength: 2 }),
      (batches) =>
        withStore(makeStore, async (_, store) => {
          const expected: StoredEvent[] = [];
          for (const batch of [withUnknownField(), ...batches]) {
            const afterSeq = expected.at(-1)?.seq ?? 0;
            const events = copy(stampEvents(batch, afterSeq));
            expected.push(...copy(events));
            await store.append(events, { expectedSeq: afterSeq });
            scribble(events);
            await expectLog(
              store,
              expected,
              'after the caller changed the events it had appended (its objects are its own)',
            );
          }
          for await (const event of store.load()) scribble(event);
          await expectLog(
            store,
            expected,
            'after the caller changed the events a load() gave it, as they came',
          );
          const loaded: StoredEvent[] = [];
          for await (const event of store.load()) loaded.push(event);
          scribble(loaded);
          await expectLog(
            store,
            expected,
            'after the caller changed the events a load() gave it, once it was done',
          );
        }),
    ),
    { numRuns: fuzzRuns(10), includeErrorInReport: true },
  );
};
