import { ValidationError } from '../errors/index.js';
import { formatPath } from './zod-issues.js';

/**
 * Deeper than this is refused: a cycle (which JSON cannot hold) would otherwise recurse until the
 * stack overflows, and `JSON.stringify` itself gives up a few thousand levels down.
 */
const MAX_DEPTH = 1000;

/**
 * Whether `value` comes back from `JSON.parse(JSON.stringify(value))` as itself. The schemas keep
 * fields they do not know (a newer writer's), and zod passes those through as they are: without
 * this check a `Date`, a `Map` or a function in such a field would sit in the live state as that
 * object while the session file holds a string (or nothing), and a resumed session would differ
 * from the live one. An `undefined` object property is fine (JSON leaves it out, as absent); an
 * `undefined` array item is not (JSON turns it into null). -0 is let through: JSON stores it as 0,
 * which only `Object.is` tells apart, and refusing a message over a rounded -0 would be worse.
 */
function isJsonData(value: unknown, depth = 0): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      if (depth > MAX_DEPTH) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!isJsonData(value[i], depth + 1)) return false;
        return true;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      for (const key in value) {
        if (key === '__proto__') return false;
        const item = (value as Record<string, unknown>)[key];
        if (item !== undefined && !isJsonData(item, depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined (an array item JSON stores as null)';
  if (typeof value === 'number') return `${value} (JSON has no ${value})`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'bigint') return `a bigint (${value}n)`;
  if (typeof value === 'symbol') return 'a symbol';
  const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)
    ?.constructor?.name;
  return typeof name === 'string' && name !== '' ? `a ${name}` : 'an object with a prototype';
}

/** The path to the first value `isJsonData` refuses, and what it is. */
function firstNonJson(
  value: unknown,
  path: PropertyKey[],
  depth = 0,
): { path: PropertyKey[]; what: string } | undefined {
  if (isJsonData(value, depth)) return undefined;
  if (typeof value !== 'object' || value === null) return { path, what: describeValue(value) };
  if (depth > MAX_DEPTH) {
    return {
      path,
      what: `more than ${MAX_DEPTH} levels of nesting (or a cycle, which JSON cannot hold)`,
    };
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = firstNonJson(value[i], [...path, i], depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return { path, what: describeValue(value) };
  for (const key in value) {
    if (key === '__proto__') {
      return {
        path: [...path, key],
        what: 'a key named __proto__ (it does not survive JSON.parse as a plain key)',
      };
    }
    const item = (value as Record<string, unknown>)[key];
    const found = item === undefined ? undefined : firstNonJson(item, [...path, key], depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Returns `value` if it is JSON data that reads back as itself; otherwise throws a
 * `ValidationError` naming the first field that is not (`messages[0].sentAt: … got a Date`).
 * Nothing is changed either way: callers freeze the value after this check, not during it, so a
 * refused command leaves the caller's objects as they were.
 */
export function checkJsonData<T>(value: T, prefix: readonly PropertyKey[] = []): T {
  if (isJsonData(value)) return value;
  const found = firstNonJson(value, [...prefix]) ?? { path: [...prefix], what: 'not JSON data' };
  const where = formatPath(found.path);
  throw new ValidationError(
    `${where === '' ? 'value' : where}: expected JSON data (a string, finite number, boolean, null, array or plain object), got ${found.what}: the session file could not give it back as it is`,
    where,
  );
}
