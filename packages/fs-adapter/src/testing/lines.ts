import { headerLine } from '../format/header.js';

/** The time test lines carry: fixed, so a file written twice is the same bytes. */
export const TEST_AT = '2026-01-01T00:00:00.000Z';

/** A contextlog header line created at `TEST_AT`, newline included. */
export const TEST_HEADER = headerLine(new Date(TEST_AT));

/** A `usage.recorded` event line at `seq` (its token count is `seq` too), newline included. */
export function usageLine(seq: number): string {
  return `${JSON.stringify({ seq, v: 1, at: TEST_AT, type: 'usage.recorded', data: { tokenCount: seq } })}\n`;
}
