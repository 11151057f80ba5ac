import { type ContextEngine, type EventStore, stateToJson } from '@contextlog/core';
import { foldEvents } from '@contextlog/core/store';
import { canonicalJson, preview } from './json.js';
import { loadAll } from './store-factory.js';

/** The first place two JSON values differ, as a path like `messages[3].content`. */
function firstDifference(live: unknown, replayed: unknown, path: string): string | undefined {
  if (canonicalJson(live) === canonicalJson(replayed)) return undefined;
  if (Array.isArray(live) && Array.isArray(replayed)) {
    const length = Math.max(live.length, replayed.length);
    for (let index = 0; index < length; index++) {
      if (index >= live.length || index >= replayed.length) {
        return `${path}: live has ${live.length} items, replay has ${replayed.length}`;
      }
      const inner = firstDifference(live[index], replayed[index], `${path}[${index}]`);
      if (inner !== undefined) return inner;
    }
  }
  const isRecord = (value: unknown): value is Record<string, unknown> =>
    typeof value === 'object' && value !== null && !Array.isArray(value);
  if (isRecord(live) && isRecord(replayed)) {
    for (const key of new Set([...Object.keys(live), ...Object.keys(replayed)])) {
      const inner = firstDifference(live[key], replayed[key], path === '' ? key : `${path}.${key}`);
      if (inner !== undefined) return inner;
    }
  }
  return `${path || 'state'}: live ${preview(live, 200)}, replay ${preview(replayed, 200)}`;
}

/**
 * The one-line assertion for your own tests: replaying what `store` holds gives exactly
 * `engine.state` (compared as JSON). Call it when no command is in flight and before
 * `engine.close()` (a closed store may refuse to load). Throws naming the first difference.
 */
export async function expectReplayEqualsLive(
  engine: ContextEngine,
  store: EventStore,
): Promise<void> {
  const live = stateToJson(engine.state);
  const events = await loadAll(store);
  const replayed = stateToJson(foldEvents(events));
  const difference = firstDifference(live, replayed, '');
  if (difference !== undefined) {
    throw new Error(
      `replay of the ${events.length} stored event(s) differs from engine.state at ${difference}`,
    );
  }
}
