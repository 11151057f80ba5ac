import { checkJsonData } from '@contextlog/core/store';
import { jsonEqual } from './json-equal.js';
import { checkMessageIds } from './message-ids.js';

/**
 * What a save writes to turn the stored history into the incoming one:
 * - `unchanged`: the lists are the same JSON; nothing is written.
 * - `append`: the stored list is a prefix of the incoming one; `messages` go after it.
 * - `replace`: the history from index `from` on becomes `messages`, guarded: the store refuses
 *   the write unless its history from `from` on is still `expectedSuffix` (what the plan was made
 *   against), so a save never overwrites what another writer put there meanwhile.
 */
export type SavePlan<M> =
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'append'; readonly messages: readonly M[] }
  | {
      readonly kind: 'replace';
      readonly from: number;
      readonly messages: readonly M[];
      readonly expectedSuffix: readonly M[];
    };

export interface PlanSaveOptions {
  /** Names the chat in error messages (`chat "abc": messages[3] has no id …`). */
  readonly source?: string;
}

/**
 * Plans a save of `incoming` over `stored` (a chat's history as the store holds it, or as the
 * caller read it). Messages are compared position by position, by id and as JSON (a key set to
 * `undefined` is no key, key order does not count): the plan starts at the first message that
 * differs, so what it replaces is as short as a suffix replace can be, and saving the same list
 * twice plans nothing. The incoming list is checked first, whole: every message JSON data (as the
 * engine will store it) with an id that is present, non-empty and unique; otherwise a typed error
 * (`ValidationError`, `EmptyMessageIdError`, `DuplicateMessageIdError`) and no plan. O(size of
 * the incoming list); the stored list is trusted (the store wrote it).
 */
export function planSave<M extends { readonly id: string }>(
  stored: readonly M[],
  incoming: readonly M[],
  options: PlanSaveOptions = {},
): SavePlan<M> {
  for (let index = 0; index < incoming.length; index++) {
    checkJsonData(incoming[index], ['messages', index]);
  }
  checkMessageIds(incoming, options.source);
  const common = Math.min(stored.length, incoming.length);
  let from = 0;
  while (from < common && sameMessage(stored[from], incoming[from])) from++;
  if (from === stored.length) {
    return from === incoming.length
      ? { kind: 'unchanged' }
      : { kind: 'append', messages: incoming.slice(from) };
  }
  return {
    kind: 'replace',
    from,
    messages: incoming.slice(from),
    expectedSuffix: stored.slice(from),
  };
}

function sameMessage(
  a: { readonly id: string } | undefined,
  b: { readonly id: string } | undefined,
) {
  return a !== undefined && b !== undefined && a.id === b.id && jsonEqual(a, b);
}
