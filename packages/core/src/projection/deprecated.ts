import type { StoredEvent } from '../events/schemas.js';
import { createFold, type Fold, foldEvents } from './fold.js';
import type { ContextState } from './state.js';

// The names of the fold before it was one; kept for one release.

/** @deprecated use `foldEvents([event], state)` */
export function project(state: ContextState, event: StoredEvent): ContextState {
  return foldEvents([event], state);
}

/** @deprecated use `foldEvents(events, from)` */
export function replay(events: Iterable<StoredEvent>, from?: ContextState): ContextState {
  return foldEvents(events, from);
}

/** @deprecated use `foldEvents(events, from)`, which takes an async iterable too */
export async function replayAsync(
  events: AsyncIterable<StoredEvent> | Iterable<StoredEvent>,
  from?: ContextState,
): Promise<ContextState> {
  return Symbol.iterator in events ? foldEvents(events, from) : await foldEvents(events, from);
}

/** @deprecated use `Fold` */
export type Replayer = Fold;

/** @deprecated use `createFold` */
export const createReplayer: (from?: ContextState) => Fold = createFold;
