/**
 * Whether two JSON data values (as core's `checkJsonData` accepts them) are the same JSON: what a
 * store gives back for either is the same. An object key whose value is `undefined` is no key
 * (JSON drops it: the AI SDK sets `providerMetadata: undefined` on parts it streams), and key
 * order does not count (PostgreSQL's jsonb reorders keys). Arrays compare item by item; -0 is 0.
 * Keys are walked with `for…in`, as JSON data are plain objects whose enumerable keys are their
 * own (an own `"__proto__"` key included).
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  let keys = 0;
  for (const key in left) {
    const value = left[key];
    if (value === undefined) continue;
    keys++;
    if (!Object.hasOwn(right, key) || !jsonEqual(value, right[key])) return false;
  }
  for (const key in right) if (right[key] !== undefined) keys--;
  return keys === 0;
}
