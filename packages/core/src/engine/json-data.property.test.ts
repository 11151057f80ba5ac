import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import type { Message } from '../events/message.js';
import { foldEvents } from '../projection/fold.js';
import { openMemoryStore } from '../store/memory-store.js';
import { createContext } from './create-context.js';

/** Whether `value` holds a -0 anywhere: JSON stores it as 0, which the check lets through. */
function holdsNegativeZero(value: unknown, seen = new Set<unknown>()): boolean {
  if (Object.is(value, -0)) return true;
  if (typeof value !== 'object' || value === null || seen.has(value)) return false;
  seen.add(value);
  return Object.values(value).some((item) => holdsNegativeZero(item, seen));
}

const anyValue = fc
  .anything({
    withBigInt: true,
    withBoxedValues: true,
    withDate: true,
    withMap: true,
    withNullPrototype: true,
    withSet: true,
    withSparseArray: true,
    withTypedArray: true,
    withObjectString: true,
  })
  .filter((value) => !holdsNegativeZero(value));

// A field the message schema does not know is kept (a newer writer's), so anything can arrive in
// one. Whatever it is, the engine either refuses the message or holds exactly what a session file
// gives back: compared with toEqual, where stateToJson would make a Date and its string equal.
test.prop([anyValue, anyValue])(
  'an unknown message field is refused, or reads back from JSON exactly as it is live',
  async (extra, nested) => {
    const store = await openMemoryStore();
    const engine = await createContext(store);
    const message = {
      role: 'assistant',
      content: [{ type: 'text', text: 'hi', note: nested }],
      extra,
    } as unknown as Message;
    const outcome = await engine.appendMessages(message).then(
      () => undefined,
      (error: unknown) => error,
    );
    if (outcome !== undefined) {
      expect(outcome).toMatchObject({ code: 'VALIDATION' });
      expect(store.events).toEqual([]);
      return;
    }
    const reread = JSON.parse(JSON.stringify(store.events));
    expect(foldEvents(reread).messages).toEqual(engine.state.messages);
  },
);
