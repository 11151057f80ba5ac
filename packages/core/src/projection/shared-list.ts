import { deepFreeze } from '../events/json.js';

const NOTHING: readonly never[] = Object.freeze([]);

/**
 * A version of a backing array. While `next` is undefined the array holds exactly what the lists
 * of this version see. An edit that writes over items other lists may see (a truncate followed by
 * an append, or one item replaced) keeps the items it overwrites here, in `saved` (what positions
 * `from`, `from + 1` … held), and starts the next version: a list of an older version reads an
 * overwritten position from the first version after its own that saved it.
 *
 * Only older versions point at newer ones, so the saved items live as long as some list that may
 * read them, and no longer: the newest state holds none of them.
 */
class Version<T> {
  next: Version<T> | undefined = undefined;
  from = 0;
  saved: readonly T[] = NOTHING;
}

/**
 * A list that successive states share: each state sees a prefix of one backing array. Appending
 * to the newest state pushes onto that array, so an append costs the same at a million items as
 * at ten. An edit at the end of the newest state (cut to `n`, then append `k` items; or replace
 * one item) writes into the array too, keeping what it overwrote for the states that still see
 * it (see `Version`): it costs O(k + items cut), never a copy of the whole list. Appending to an
 * older state (after a revert, or after a batch that was never committed) copies the prefix it
 * keeps when that is cheaper, or when an edit since then overwrote part of it. History and
 * checkpoint marks are both kept this way: copying either on every event makes replay quadratic.
 *
 * `log` may be indexed directly only while `version.next` is undefined (use `itemAt` and
 * `forEachItem` otherwise).
 *
 * A class, not a plain object, so that immer never drafts it (it drafts plain objects and arrays
 * only): the engine folds a batch in an immer draft of the state's fields, and a draft of the
 * history would copy its backing array on the first append.
 */
export class SharedList<T> {
  constructor(
    readonly log: T[],
    readonly length: number,
    readonly version: Version<T> = new Version<T>(),
  ) {}
}

export function emptyList<T>(): SharedList<T> {
  return new SharedList<T>([], 0);
}

/**
 * A list over `items` as they are, not a copy: a snapshot's or a compaction's list is read where
 * it is (a snapshot of two million messages copied here was a second list at the peak of its
 * replay). The caller's array is never written: its version is never current (`from` -1, a
 * `next`), so the first edit of the list or of a list made from it copies what it keeps.
 */
export function listOf<T>(items: readonly T[]): SharedList<T> {
  const borrowed = new Version<T>();
  borrowed.from = -1;
  borrowed.next = new Version<T>();
  return new SharedList(items as T[], items.length, borrowed);
}

/**
 * The current version of the list's array if every item the list sees is still in the array
 * (no edit since the list was made overwrote any of them), else undefined.
 */
function currentIfIntact<T>(list: SharedList<T>): Version<T> | undefined {
  let version = list.version;
  while (version.next !== undefined) {
    if (version.from < list.length) return undefined;
    version = version.next;
  }
  return version;
}

/** Keeps `log[from, end)` for the lists of `version` and before, and starts the next version. */
function overwrite<T>(log: T[], version: Version<T>, from: number, end: number): Version<T> {
  version.from = from;
  version.saved = log.slice(from, end);
  const next = new Version<T>();
  version.next = next;
  return next;
}

function copied<T>(list: SharedList<T>, items: readonly T[]): SharedList<T> {
  const log = toArray(list);
  for (const item of items) log.push(item);
  return new SharedList(log, log.length);
}

export function appendToList<T>(list: SharedList<T>, items: readonly T[]): SharedList<T> {
  const { log, length, version } = list;
  if (version.next === undefined && length === log.length) {
    for (const item of items) log.push(item);
    return new SharedList(log, log.length, version);
  }
  const current = currentIfIntact(list);
  // Overwriting costs the items cut off, copying the items kept: the cheaper one.
  if (current === undefined || log.length - length > length) return copied(list, items);
  const next = overwrite(log, current, length, log.length);
  log.length = length;
  for (const item of items) log.push(item);
  return new SharedList(log, log.length, next);
}

/** The list with `items` in place of its items from `from` on (0 ≤ from ≤ length). */
export function replaceTail<T>(
  list: SharedList<T>,
  from: number,
  items: readonly T[],
): SharedList<T> {
  return appendToList(truncateList(list, from), items);
}

/** The list with `item` at `index` (0 ≤ index < length). */
export function replaceItem<T>(list: SharedList<T>, index: number, item: T): SharedList<T> {
  const current = currentIfIntact(list);
  if (current === undefined) {
    const log = toArray(list);
    log[index] = item;
    return new SharedList(log, log.length);
  }
  const { log, length } = list;
  const next = overwrite(log, current, index, index + 1);
  log[index] = item;
  return new SharedList(log, length, next);
}

export function truncateList<T>(list: SharedList<T>, length: number): SharedList<T> {
  return new SharedList(list.log, Math.min(length, list.length), list.version);
}

export function itemAt<T>(list: SharedList<T>, index: number): T | undefined {
  if (index < 0 || index >= list.length) return undefined;
  for (let version = list.version; version.next !== undefined; version = version.next) {
    const offset = index - version.from;
    if (offset >= 0 && offset < version.saved.length) return version.saved[offset];
  }
  return list.log[index];
}

/** Calls `visit` with the items at `[start, end)`, in order. */
export function forEachItem<T>(
  list: SharedList<T>,
  start: number,
  end: number,
  visit: (item: T, index: number) => void,
): void {
  const stop = Math.min(end, list.length);
  if (list.version.next === undefined) {
    const { log } = list;
    for (let i = Math.max(0, start); i < stop; i++) visit(log[i] as T, i);
    return;
  }
  for (let i = Math.max(0, start); i < stop; i++) visit(itemAt(list, i) as T, i);
}

/** The items as a fresh mutable array. */
export function toArray<T>(list: SharedList<T>): T[] {
  const { log, length } = list;
  if (list.version.next === undefined) return log.slice(0, length);
  const items = log.slice(0, Math.min(length, log.length));
  items.length = length;
  // The first version after the list's own that saved a position holds the list's item there:
  // applying the saved runs newest first lets the oldest win.
  const versions: Version<T>[] = [];
  for (let version = list.version; version.next !== undefined; version = version.next) {
    versions.push(version);
  }
  for (let v = versions.length - 1; v >= 0; v--) {
    const { from, saved } = versions[v] as Version<T>;
    const stop = Math.min(from + saved.length, length);
    for (let i = from; i < stop; i++) items[i] = saved[i - from] as T;
  }
  return items;
}

export function findInList<T>(list: SharedList<T>, predicate: (item: T) => boolean): number {
  if (list.version.next === undefined) {
    for (let i = 0; i < list.length; i++) if (predicate(list.log[i] as T)) return i;
    return -1;
  }
  return toArray(list).findIndex(predicate);
}

/**
 * The list as a frozen array (its items deep-frozen), made once per state when somebody reads it.
 * A frozen array that `listOf` borrowed whole (a snapshot's list) is that array: no list ever
 * writes a borrowed array, so it holds exactly the items, and reading the history of a reopened
 * snapshot of two million messages copies none of it (a second 17 MB array at the peak).
 */
export function materializeList<T>(list: SharedList<T>): readonly T[] {
  const { log, length } = list;
  const items = Object.isFrozen(log) && length === log.length ? log : toArray(list);
  for (const item of items) deepFreeze(item);
  return Object.isFrozen(items) ? items : Object.freeze(items);
}
