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

let suffixParser: z.ZodType | undefined;

/** Validates `expectedSuffix` at call time (a `ValidationError` names the field). */
export function replaceGuardOf(
  expectedSuffix: readonly Message[] | undefined,
): ReplaceGuard | undefined {
  if (expectedSuffix === undefined) return undefined;
  suffixParser ??= z.compile(z.array(MessageSchema));
  const parsed = suffixParser.safeParse(expectedSuffix);
  if (!parsed.success) throw toValidationError(parsed.error, ['expectedSuffix']);
  return { expected: (parsed.data as Message[]).map(canonicalJson) };
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
