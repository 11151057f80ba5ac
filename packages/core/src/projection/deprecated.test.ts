import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../events/schemas.js';
import * as store from '../store-api.js';
import { stateToJson } from './state.js';

const at = '2026-01-01T00:00:00.000Z';
const events: StoredEvent[] = [
  { type: 'messages.appended', data: { messages: [{ role: 'user', content: 'hi' }] } },
  { type: 'usage.recorded', data: { tokenCount: 7 } },
].map((body, index) => ({ ...body, seq: index + 1, v: 1, at }) as StoredEvent);

async function* each<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}

// The call sites use foldEvents and createFold; the former names stay one release and must keep
// folding the same way.
describe('the deprecated fold names', () => {
  it('project, replay, replayAsync and createReplayer give what foldEvents gives', async () => {
    const expected = stateToJson(store.foldEvents(events));
    const [first, second] = events as [StoredEvent, StoredEvent];
    expect(stateToJson(store.project(store.project(store.foldEvents([]), first), second))).toEqual(
      expected,
    );
    expect(stateToJson(store.replay(events))).toEqual(expected);
    expect(stateToJson(await store.replayAsync(each(events)))).toEqual(expected);
    expect(store.createReplayer).toBe(store.createFold);
  });
});
