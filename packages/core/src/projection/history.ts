import { deepFreeze } from '../events/json.js';
import type { Message } from '../events/message.js';

/**
 * The message history of one state: a prefix of a backing array that successive states share.
 * Appending to the newest state pushes onto that array, so an append costs the same at a million
 * messages as at ten; only appending to an older state (after a revert, or after a batch that was
 * never committed) copies the prefix it keeps.
 */
export interface History {
  readonly log: Message[];
  readonly length: number;
}

export function emptyHistory(): History {
  return { log: [], length: 0 };
}

export function historyOf(messages: readonly Message[]): History {
  return { log: messages.slice(), length: messages.length };
}

export function appendToHistory(history: History, messages: readonly Message[]): History {
  const log =
    history.log.length === history.length ? history.log : history.log.slice(0, history.length);
  for (const message of messages) log.push(message);
  return { log, length: log.length };
}

export function truncateHistory(history: History, length: number): History {
  return { log: history.log, length: Math.min(length, history.length) };
}

/** The history as a frozen array, made once per state when somebody reads it. */
export function materializeHistory(history: History): readonly Message[] {
  const messages = history.log.slice(0, history.length);
  for (const message of messages) deepFreeze(message);
  return Object.freeze(messages);
}
