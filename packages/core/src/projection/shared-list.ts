import { deepFreeze } from '../events/json.js';

/**
 * A list that successive states share: each state sees a prefix of one backing array. Appending
 * to the newest state pushes onto that array, so an append costs the same at a million items as
 * at ten; only appending to an older state (after a revert, or after a batch that was never
 * committed) copies the prefix it keeps. History and checkpoint marks are both kept this way:
 * copying either on every event makes replay quadratic.
 *
 * A class, not a plain object, so that immer never drafts it (it drafts plain objects and arrays
 * only): the engine folds a batch in an immer draft of the state's fields, and a draft of the
 * history would copy its backing array on the first append.
 */
export class SharedList<T> {
  constructor(
    readonly log: T[],
    readonly length: number,
  ) {}
}

export function emptyList<T>(): SharedList<T> {
  return new SharedList<T>([], 0);
}

export function listOf<T>(items: readonly T[]): SharedList<T> {
  return new SharedList(items.slice(), items.length);
}

export function appendToList<T>(list: SharedList<T>, items: readonly T[]): SharedList<T> {
  const log = list.log.length === list.length ? list.log : list.log.slice(0, list.length);
  for (const item of items) log.push(item);
  return new SharedList(log, log.length);
}

export function truncateList<T>(list: SharedList<T>, length: number): SharedList<T> {
  return new SharedList(list.log, Math.min(length, list.length));
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
