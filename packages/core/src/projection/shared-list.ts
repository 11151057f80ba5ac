import { deepFreeze } from '../events/json.js';

/**
 * A list that successive states share: each state sees a prefix of one backing array. Appending
 * to the newest state pushes onto that array, so an append costs the same at a million items as
 * at ten; only appending to an older state (after a revert, or after a batch that was never
 * committed) copies the prefix it keeps. History and checkpoint marks are both kept this way:
 * copying either on every event makes replay quadratic.
 */
export interface SharedList<T> {
  readonly log: T[];
  readonly length: number;
}

export function emptyList<T>(): SharedList<T> {
  return { log: [], length: 0 };
}

export function listOf<T>(items: readonly T[]): SharedList<T> {
  return { log: items.slice(), length: items.length };
}

export function appendToList<T>(list: SharedList<T>, items: readonly T[]): SharedList<T> {
  const log = list.log.length === list.length ? list.log : list.log.slice(0, list.length);
  for (const item of items) log.push(item);
  return { log, length: log.length };
}

export function truncateList<T>(list: SharedList<T>, length: number): SharedList<T> {
  return { log: list.log, length: Math.min(length, list.length) };
}

export function findInList<T>(list: SharedList<T>, predicate: (item: T) => boolean): number {
  for (let i = 0; i < list.length; i++) if (predicate(list.log[i] as T)) return i;
  return -1;
}

export function itemAt<T>(list: SharedList<T>, index: number): T | undefined {
  return index >= 0 && index < list.length ? list.log[index] : undefined;
}

/** The list as a frozen array (its items deep-frozen), made once per state when somebody reads it. */
export function materializeList<T>(list: SharedList<T>): readonly T[] {
  const items = list.log.slice(0, list.length);
  for (const item of items) deepFreeze(item);
  return Object.freeze(items);
}
