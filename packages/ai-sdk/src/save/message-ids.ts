import { DuplicateMessageIdError, EmptyMessageIdError } from '../errors.js';

/**
 * Refuses a list in which a message has no id, an empty one, or one an earlier message has: a
 * save keyed by message id needs every id present and unique.
 */
export function checkMessageIds(
  messages: readonly { readonly id?: unknown }[],
  source?: string,
): void {
  const seen = new Map<string, number>();
  for (let index = 0; index < messages.length; index++) {
    const id = messages[index]?.id;
    if (typeof id !== 'string' || id === '') throw new EmptyMessageIdError(index, source);
    const first = seen.get(id);
    if (first !== undefined) throw new DuplicateMessageIdError(id, [first, index], source);
    seen.set(id, index);
  }
}
