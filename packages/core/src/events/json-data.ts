import { ValidationError } from '../errors/index.js';
import { formatPath } from './zod-issues.js';

/**
 * Command data nested deeper than this is refused: a cycle (which JSON cannot hold) would otherwise
 * recurse until the stack overflows, and `JSON.stringify` itself gives up a few thousand levels
 * down. A stored event holds command data a few levels below its top (`data.messages[0]`, or
 * `data.state.messages[0]` in a snapshot), so reading allows some levels more than writing: what
 * the engine wrote always reads back.
 */
export const COMMAND_DATA_MAX_DEPTH = 1000;
export const STORED_EVENT_MAX_DEPTH = COMMAND_DATA_MAX_DEPTH + 16;
const TRACKED_FROM = 32;

/**
 * Whether `value` comes back from `JSON.parse(JSON.stringify(value))` as itself. The schemas keep
 * fields they do not know (a newer writer's), and zod passes those through as they are: without
 * this check a `Date`, a `Map` or a function in such a field would sit in the live state as that
 * object while the session file holds a string (or nothing), and a resumed session would differ
 * from the live one. What JSON leaves out without a trace is let through and is not part of the
 * session: an `undefined` property (absent, once read back), a symbol-keyed property, a named
 * property on an array (a regex match's `index`): none of them is data, and refusing a message
 * that carries a framework's symbol tag would be worse (checking for them also cost a fifth of
 * an append's CPU). An `undefined` array item is refused (JSON turns it into null), and so is a
 * function anywhere. -0 is let through: JSON stores it as 0, which only `Object.is` tells apart.
 * Not checked, as too costly for what they are: getters and proxies (stored as what they gave
 * when written; the live state keeps them), non-enumerable properties (left out, as symbol keys),
 * and plain objects from another realm (refused, their prototype being another `Object`'s).
 */
function isJsonData(
  value: unknown,
  depth: number,
  above: Set<object> | undefined,
  max: number,
): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      // Messages are a few levels deep; past TRACKED_FROM the objects above are kept in a set, so
      // a cycle costs TRACKED_FROM turns of itself, not `max`.
      const tracked = above ?? (depth >= TRACKED_FROM ? new Set<object>() : undefined);
      if (tracked !== undefined) {
        if (tracked.has(value) || depth > max) return false;
        tracked.add(value);
      }
      const ok = isJsonNode(value, depth, tracked, max);
      tracked?.delete(value);
      return ok;
    }
    default:
      return false;
  }
}

function isJsonNode(
  value: object,
  depth: number,
  above: Set<object> | undefined,
  max: number,
): boolean {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++)
      if (!isJsonData(value[i], depth + 1, above, max)) return false;
    return true;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key];
    if (item !== undefined && !isJsonData(item, depth + 1, above, max)) return false;
  }
  return true;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined (an array item JSON stores as null)';
  if (typeof value === 'number') return `${value} (JSON has no ${value})`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'bigint') return `a bigint (${value}n)`;
  if (typeof value === 'symbol') return 'a symbol';
  const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)
    ?.constructor?.name;
  return typeof name === 'string' && name !== '' && name !== 'Object'
    ? `a ${name}`
    : 'an object whose prototype is not Object.prototype';
}

interface Found {
  readonly path: PropertyKey[];
  readonly what: string;
}

/**
 * Where the first value `isJsonData` refuses is, and what it is: one walk (linear in the value),
 * with the path on a stack and the objects above it in a set, so a cycle is named where it closes.
 * Only runs once `isJsonData` said no.
 */
function firstNonJson(
  value: unknown,
  path: PropertyKey[],
  above: Set<object>,
  max: number,
): Found | undefined {
  if (typeof value !== 'object' || value === null) {
    return isJsonData(value, 0, undefined, max)
      ? undefined
      : { path: [...path], what: describeValue(value) };
  }
  if (above.has(value)) {
    return { path: [...path], what: 'a cycle (the value contains itself; JSON cannot hold that)' };
  }
  // The value's depth is the number of objects above it; `isJsonData` refuses beyond `max` too.
  if (above.size > max) return { path: [...path], what: `more than ${max} levels of nesting` };
  above.add(value);
  const found = firstNonJsonInside(value, path, above, max);
  above.delete(value);
  return found;
}

function firstNonJsonInside(
  value: object,
  path: PropertyKey[],
  above: Set<object>,
  max: number,
): Found | undefined {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      const found = firstNonJson(value[i], path, above, max);
      path.pop();
      if (found !== undefined) return found;
    }
    return undefined;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null)
    return { path: [...path], what: describeValue(value) };
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key];
    if (item === undefined) continue;
    path.push(key);
    const found = firstNonJson(item, path, above, max);
    path.pop();
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
export function checkJsonData<T>(
  value: T,
  prefix: readonly PropertyKey[] = [],
  maxDepth = COMMAND_DATA_MAX_DEPTH,
): T {
  if (isJsonData(value, 0, undefined, maxDepth)) return value;
  const found = firstNonJson(value, [...prefix], new Set(), maxDepth) ?? {
    path: [...prefix],
    what: 'not JSON data',
  };
  const where = formatPath(found.path);
  throw new ValidationError(
    `${where === '' ? 'value' : where}: expected JSON data (a string, finite number, boolean, null, array or plain object), got ${found.what}: the session file could not give it back as it is`,
    where,
  );
}
