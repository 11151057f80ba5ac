import type { SessionKind } from '../dialect/session-kind.js';
import { ValidationError } from '../errors/index.js';
import type { Message } from '../events/message.js';
import type { CheckpointMark } from '../events/schemas.js';
import {
  forEachItem,
  itemAt,
  replaceItem,
  replaceTail,
  type SharedList,
  truncateList,
} from './shared-list.js';
import type { StateFields } from './state.js';

// The rules of the two history edits, `messages.replaced` and `message.replaced`. The fold
// (fold.ts) assigns what they return.

/** What an edit changes. The system prompt, metadata, next checkpoint id and operation ids stay. */
export type EditedFields = Pick<
  StateFields,
  'messages' | 'checkpoints' | 'tokenCount' | 'pendingTextLength'
>;

// Text is measured by the session's dialect (`kind.textLength`), as every rule of the fold does.
function textOf(kind: SessionKind, messages: readonly Message[]): number {
  let length = 0;
  for (const message of messages) length += kind.textLength(message);
  return length;
}

/** Code points of text in the items of `list` at `[start, end)`. */
function textOfRange(
  kind: SessionKind,
  list: SharedList<Message>,
  start: number,
  end: number,
): number {
  let length = 0;
  forEachItem(list, start, end, (message) => {
    length += kind.textLength(message);
  });
  return length;
}

/**
 * Whether the text of `history[index, end)` is at most `pending`: whether, as far as the counts
 * tell, the message at `index` comes after the last usage record. Walks back from the end and
 * stops as soon as the sum passes `pending`, so it costs the messages after the last usage record
 * at most, not the history.
 */
function pendingFrom(
  kind: SessionKind,
  history: SharedList<Message>,
  index: number,
  pending: number,
): boolean {
  let text = 0;
  for (let i = history.length - 1; i >= index; i--) {
    text += kind.textLength(itemAt(history, i) as Message);
    if (text > pending) return false;
  }
  return true;
}

/**
 * The marks that stay: those up to the last with `messageCount <= index` (found from the end, so
 * it costs the marks dropped). Marks are in history order in every state the rules make; in a
 * hand-made snapshot with marks out of order, a mark before the kept one stays whatever its count.
 */
function keptMarks(marks: SharedList<CheckpointMark>, index: number): number {
  let kept = marks.length;
  while (kept > 0 && (itemAt(marks, kept - 1) as CheckpointMark).messageCount > index) kept--;
  return kept;
}

/**
 * The counts after an edit at `index` that dropped marks, as `revertTo` takes them: the token count
 * and pending text of the last mark that stays, plus the text of the history after it (the edited
 * history, `edited`). Undefined when no mark was dropped, or none stays (then the counts are
 * adjusted instead: see `replaceSuffix`).
 */
function countsFromMark(
  fields: StateFields,
  kept: number,
  edited: SharedList<Message>,
): Pick<EditedFields, 'tokenCount' | 'pendingTextLength'> | undefined {
  if (kept === fields.checkpoints.length || kept === 0) return undefined;
  const mark = itemAt(fields.checkpoints, kept - 1) as CheckpointMark;
  return {
    tokenCount: mark.tokenCount,
    pendingTextLength:
      mark.pendingTextLength + textOfRange(fields.kind, edited, mark.messageCount, edited.length),
  };
}

/**
 * The fields after an edit that keeps the first `kept` marks and leaves `messages`: counts from
 * the last mark kept if one was dropped (`countsFromMark`), else the token count as it was and
 * `pendingTextLength`.
 */
function editedFields(
  fields: StateFields,
  kept: number,
  messages: SharedList<Message>,
  pendingTextLength: number,
): EditedFields {
  const checkpoints = truncateList(fields.checkpoints, kept);
  const fromMark = countsFromMark(fields, kept, messages);
  if (fromMark !== undefined) return { messages, checkpoints, ...fromMark };
  return { messages, checkpoints, tokenCount: fields.tokenCount, pendingTextLength };
}

/** `from` must be an index of the history or its length: `ValidationError` otherwise. */
export function checkSuffixStart(history: SharedList<Message>, from: number): void {
  if (from > history.length) {
    throw new ValidationError(
      `from: ${from} is past the end of the history (${history.length} messages)`,
      'from',
    );
  }
}

/**
 * `messages.replaced { from, messages }`: the history from index `from` on becomes `messages`
 * (0 ≤ from ≤ length, else `ValidationError`). Marks with `messageCount > from` are dropped. If
 * one was dropped and one stays, the counts come from the last that stays (`countsFromMark`).
 * Otherwise the token count stays, and the pending text loses the cut text and gains the added:
 * when the cut text is more than the pending text, the last usage record was among the cut
 * messages, so its count stays as if it had been recorded at `from` (nothing before `from` is
 * pending; the added text is).
 *
 * Cost: the messages cut and added and the marks dropped (plus, when counts come from a mark,
 * the messages between it and `from`): never the whole history.
 */
export function replaceSuffix(
  fields: StateFields,
  from: number,
  messages: readonly Message[],
): EditedFields {
  const history = fields.messages;
  checkSuffixStart(history, from);
  const kept = keptMarks(fields.checkpoints, from);
  // Read before the edit, which may write over the cut messages in the shared array.
  const cut = textOfRange(fields.kind, history, from, history.length);
  const pending = Math.max(0, fields.pendingTextLength - cut) + textOf(fields.kind, messages);
  return editedFields(fields, kept, replaceTail(history, from, messages), pending);
}

/**
 * `message.replaced { index, message }`: the message at `index` becomes `message` (0 ≤ index <
 * length, else `ValidationError`); the messages after it stay. Marks with `messageCount > index`
 * are dropped, and the counts come from the last mark that stays as for `replaceSuffix`.
 * Otherwise the token count stays and every usage record stays where it was: when the text from
 * `index` to the end is at most the pending text, the message was pending, and the pending text
 * loses its text and gains the new one; else it was counted by the last usage record, and the
 * pending text stays.
 *
 * Cost: O(1), plus the messages after the last usage record, the marks dropped, and when counts
 * come from a mark the messages after it.
 */
export function replaceOne(fields: StateFields, index: number, message: Message): EditedFields {
  const history = fields.messages;
  if (index >= history.length) {
    throw new ValidationError(
      `index: ${index} is not a message of the history (${history.length} messages)`,
      'index',
    );
  }
  const kept = keptMarks(fields.checkpoints, index);
  const pending = fields.pendingTextLength;
  // Read before the edit, which writes over the old message in the shared array.
  const { kind } = fields;
  const wasPending = pendingFrom(kind, history, index, pending);
  const oldText = kind.textLength(itemAt(history, index) as Message);
  const adjusted = wasPending ? pending - oldText + kind.textLength(message) : pending;
  return editedFields(fields, kept, replaceItem(history, index, message), adjusted);
}
