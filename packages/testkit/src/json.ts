/**
 * JSON with object keys sorted, so two values that hold the same data compare equal whatever
 * order their writer put the keys in (zod, a database or a file round trip may reorder them).
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) return inner;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(inner).sort()) {
      sorted[key] = (inner as Record<string, unknown>)[key];
    }
    return sorted;
  });
}

export function sameJson(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** A short, readable rendering for failure messages. */
export function preview(value: unknown, max = 300): string {
  let text: string;
  try {
    text = value instanceof Error ? `${value.name}: ${value.message}` : canonicalJson(value);
  } catch {
    text = String(value);
  }
  if (text === undefined) text = String(value);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
