import { z } from 'zod';
import { HistoryMismatchError } from '../errors/index.js';
import { canonicalJson } from '../events/fingerprint.js';
import { type Message, MessageSchema } from '../events/message.js';
import { toValidationError } from '../events/zod-issues.js';
import { checkSuffixStart } from '../projection/edits.js';
import { itemAt, type SharedList } from '../projection/shared-list.js';

/** `replaceMessages`' `expectedSuffix`, validated, as canonical JSON per message. */
export interface ReplaceGuard {
  readonly expected: readonly string[];
}

// One compiled parser per dialect's message schema.
const SUFFIX_PARSERS = new WeakMap<z.ZodType, z.ZodType>();

/** Validates `expectedSuffix` at call time (a `ValidationError` names the field). */
export function replaceGuardOf(
  expectedSuffix: readonly unknown[] | undefined,
  messageSchema: z.ZodType = MessageSchema,
): ReplaceGuard | undefined {
  if (expectedSuffix === undefined) return undefined;
  let parser = SUFFIX_PARSERS.get(messageSchema);
  if (parser === undefined) {
    parser = z.compile(z.array(messageSchema));
    SUFFIX_PARSERS.set(messageSchema, parser);
  }
  const parsed = parser.safeParse(expectedSuffix);
  if (!parsed.success) throw toValidationError(parsed.error, ['expectedSuffix']);
  return { expected: (parsed.data as unknown[]).map(canonicalJson) };
}

/**
 * At batch formation: `from` must be within the history (0 ≤ from ≤ length), and with a guard,
 * the history from `from` on must equal it message for message (as JSON, key order ignored).
 * Costs the guarded messages, never the history.
 */
export function checkExpectedSuffix(
  history: SharedList<Message>,
  from: number,
  guard: ReplaceGuard | undefined,
): void {
  checkSuffixStart(history, from);
  if (guard === undefined) return;
  const actualLength = history.length - from;
  const { expected } = guard;
  if (actualLength !== expected.length) {
    throw new HistoryMismatchError(from, expected.length, actualLength, undefined);
  }
  for (let i = 0; i < expected.length; i++) {
    if (canonicalJson(itemAt(history, from + i)) !== expected[i]) {
      throw new HistoryMismatchError(from, expected.length, actualLength, from + i);
    }
  }
}
