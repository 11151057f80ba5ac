import type { z } from 'zod';
import { ValidationError } from '../errors/index.js';

type Issue = z.core.$ZodIssue;

/** `messages[0].content[1].text`: the path form every `ValidationError` uses. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/**
 * A union reports one list of issues per branch; the branch that got furthest into the value is
 * the one the writer meant, so its issue names the field to fix.
 */
function deepestIssue(
  issue: Issue,
  base: readonly PropertyKey[],
): { issue: Issue; path: PropertyKey[] } {
  const path = [...base, ...issue.path];
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return { issue, path };
  let best: { issue: Issue; path: PropertyKey[] } | undefined;
  for (const branch of issue.errors) {
    for (const inner of branch) {
      const candidate = deepestIssue(inner, path);
      if (best === undefined || candidate.path.length > best.path.length) best = candidate;
    }
  }
  return best ?? { issue, path };
}

/** Turns a zod failure into a `ValidationError` whose `path` and message name the field. */
export function toValidationError(
  error: z.ZodError,
  prefix: readonly PropertyKey[] = [],
): ValidationError {
  const first = error.issues[0];
  if (first === undefined)
    return new ValidationError('invalid value', formatPath(prefix), { cause: error });
  const { issue, path } = deepestIssue(first, prefix);
  const where = formatPath(path);
  return new ValidationError(`${where === '' ? 'value' : where}: ${issue.message}`, where, {
    cause: error,
  });
}
