import { codeOf, HistoryMismatchError, ValidationError } from '@contextlog/core';
import type { UiMessage } from '../dialect/ui-message.js';
import { jsonEqual } from '../save/json-equal.js';
import { planSave, type SavePlan } from '../save/plan-save.js';
import type { OpenChat } from './backend.js';

/** What a save wrote: nothing, new messages after the stored ones, or a guarded replace. */
export type SaveKind = SavePlan<UiMessage>['kind'];

// A PostgreSQL chat written by another process between our refresh and our append: refresh and
// plan again. Bounded, so a chat written without pause by others still ends (ConcurrencyError).
const ATTEMPTS = 5;

/**
 * Saves `incoming` as the chat's history. Planned against the chat as it is now (fresh): so a
 * retry of a save that committed but whose caller never heard back plans `unchanged` and writes
 * nothing. With `expected` (what the caller read), the chat must still be that list, else
 * `HistoryMismatchError` and nothing is written; that check and the write happen in one turn of
 * the chat's queue, against an engine that is the chat's only writer (a file under its lock) or
 * whose append is refused if another writer moved the session's head (PostgreSQL).
 */
export async function saveChatMessages(
  chat: OpenChat,
  source: string,
  incoming: readonly UiMessage[],
  expected: readonly UiMessage[] | undefined,
): Promise<SaveKind> {
  for (let attempt = 1; ; attempt++) {
    const plan = checkSave(chat.engine.state.messages, source, incoming, expected);
    if (plan.kind === 'unchanged') return plan.kind;
    try {
      if (plan.kind === 'append') await chat.engine.appendMessages([...plan.messages]);
      else {
        await chat.engine.replaceMessages(plan.from, [...plan.messages], {
          expectedSuffix: [...plan.expectedSuffix],
        });
      }
      return plan.kind;
    } catch (error) {
      if (codeOf(error) !== 'CONCURRENCY' || attempt >= ATTEMPTS) throw error;
      if ((await chat.refresh()) === 'gone') throw error;
    }
  }
}

/**
 * The plan of a save over `current`, once the save is known to be allowed: the messages are a
 * list the store can keep (typed errors of `planSave` otherwise), and, unless the save changes
 * nothing, the chat is still what the caller read (`HistoryMismatchError` otherwise).
 */
export function checkSave(
  current: readonly UiMessage[],
  source: string,
  incoming: readonly UiMessage[],
  expected: readonly UiMessage[] | undefined,
): SavePlan<UiMessage> {
  if (!Array.isArray(incoming)) {
    throw new ValidationError(`${source}: messages: expected an array`, 'messages');
  }
  if (expected !== undefined && !Array.isArray(expected)) {
    throw new ValidationError(`${source}: expected: expected an array`, 'expected');
  }
  const plan = planSave(current, incoming, { source });
  if (plan.kind !== 'unchanged' && expected !== undefined) refuseIfMoved(current, expected);
  return plan;
}

/** `HistoryMismatchError` (from the first message that differs) unless the chat is `expected`. */
function refuseIfMoved(current: readonly UiMessage[], expected: readonly UiMessage[]): void {
  const common = Math.min(current.length, expected.length);
  let same = 0;
  while (same < common && jsonEqual(current[same], expected[same])) same++;
  if (same === current.length && same === expected.length) return;
  throw new HistoryMismatchError(
    same,
    expected.length - same,
    current.length - same,
    current.length === expected.length ? same : undefined,
  );
}
