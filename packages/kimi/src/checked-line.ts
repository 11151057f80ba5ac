import type { Message, StoredEvent } from '@contextlog/core';
import type { Fold } from '@contextlog/core/store';
import { decodeKimiLine, decodeKimiText, decodeKimiValue, type KimiLine } from './decode-line.js';
import { singleTextOf } from './encode-line.js';
import { KimiExportError } from './errors.js';
import { kimiMessageDifference } from './kimi-state.js';

/** The live history a written file must give back, and the index of the next message line. */
export interface LiveMessages {
  readonly messages: readonly Message[];
  next: number;
}

const NULL_ARGUMENTS = /\.function\.arguments is null/;

type WellFormed = { isWellFormed?: (this: string) => boolean };
// ES2024, in Node 20's V8: true when the string has no lone surrogate.
const isWellFormed = (String.prototype as WellFormed).isWellFormed;

/**
 * `message` as kimi-cli's writer spells it: content that is exactly one plain text part as that
 * text (see `singleTextOf`), otherwise `message` itself. kimi-cli reads both as the same message.
 */
export function kimiSpelling(message: Message): Message {
  const text = singleTextOf(message.content);
  return text === undefined ? message : Object.assign({}, message, { content: text });
}

/**
 * Whether `value` holds a -0: the one JSON number `JSON.stringify` does not write back as itself
 * (it writes `0`). A file may hold `-0` (another writer's), and its messages then do.
 */
export function holdsNegativeZero(value: unknown): boolean {
  if (typeof value === 'number') return Object.is(value, -0);
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some(holdsNegativeZero);
  for (const key in value) {
    if (holdsNegativeZero((value as Record<string, unknown>)[key])) return true;
  }
  return false;
}

/**
 * What a reader decodes a line we wrote to: `decodeKimiLine` of its UTF-8 bytes, without building
 * them when that changes nothing. A line that begins with `{`, has no `\r` and no lone surrogate
 * is its own UTF-8 decoding, neither blank nor a BOM, nor split by universal newlines: it goes to
 * `decodeKimiText` as it is. `checked-line.property.test.ts` checks both agree.
 */
export function decodeWrittenLine(line: string): KimiLine {
  if (line.charCodeAt(0) === 0x7b && !line.includes('\r') && isWellFormed?.call(line) === true) {
    return decodeKimiText(line, []);
  }
  return decodeKimiLine(Buffer.from(line, 'utf8'));
}

/**
 * Decodes a written line as a reader of the file will, folding it into `restored`; refuses one
 * that does not read back cleanly. With `live`, a message line must give back the next live
 * message as kimi-cli sees it (`KimiExportError` naming both otherwise), and that message, the same
 * value, is folded instead of the decoded copy: the check then holds one history, not two.
 *
 * The common line costs one `JSON.stringify`, no parse: when the line is the JSON of the next live
 * message as kimi-cli spells it (`kimiSpelling`), and that message holds no -0 (which the line
 * writes as 0), it decodes to that very value (still checked by the decoder: its refusals and
 * warnings stand), which is the live message as kimi-cli sees it. Any other line is decoded from
 * its text and compared with `kimiMessageDifference`.
 */
export function checkedLine(
  source: string,
  line: string,
  restored: Fold,
  live?: LiveMessages,
): void {
  const next = live?.messages[live.next];
  const spelled = next === undefined ? undefined : kimiSpelling(next);
  const decoded =
    spelled !== undefined && line === JSON.stringify(spelled) && !holdsNegativeZero(spelled)
      ? decodeKimiValue(spelled, line, [])
      : decodeWrittenLine(line);
  const unexpected =
    decoded.kind === 'blank'
      ? ['it reads as a blank line']
      : decoded.kind === 'invalid' || decoded.kind === 'refused'
        ? [decoded.reason]
        : decoded.warnings.filter((warning) => !NULL_ARGUMENTS.test(warning));
  if (decoded.kind !== 'record' || unexpected.length > 0) {
    throw new KimiExportError(
      source,
      `the line ${line.slice(0, 200)} would not read back cleanly (${unexpected.join('; ')})`,
    );
  }
  // Object.assign, not an object spread: V8 (Node 20) sent the objects these spreads build, once a
  // line, to the old generation (~0.9 MB a scavenge), where they stayed as garbage until the end:
  // 261 MB of a 210 MB export's 483 MB heap, its peak RSS 1.74x replaying the session (1.13x now).
  let event = Object.assign({}, decoded.event, { seq: restored.seq + 1, at: '' }) as StoredEvent;
  if (live !== undefined && event.type === 'messages.appended') {
    const index = live.next++;
    const expected = live.messages[index];
    const [actual] = event.data.messages;
    const difference =
      expected === undefined || actual === undefined || event.data.messages.length !== 1
        ? `message ${index}: a message line past the live history`
        : // The decoder handed back the spelled message itself: kimi-cli's view of `expected`.
          actual === spelled
          ? undefined
          : kimiMessageDifference(index, expected, actual);
    if (difference !== undefined) {
      throw new KimiExportError(
        source,
        `kimi-cli would not restore the same state (${difference})`,
      );
    }
    event = Object.assign({}, event, { data: { messages: [expected as Message] } });
  }
  restored.apply(event);
}
