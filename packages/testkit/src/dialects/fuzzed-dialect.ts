import {
  type Dialect,
  kimiDialect,
  kimiEstimator,
  type Message,
  type TokenEstimator,
} from '@contextlog/core';
import fc from 'fast-check';
import { arbMessage } from '../arbitraries/message.js';

/**
 * A dialect as the testkit fuzzes it: the dialect, an arbitrary of its messages, and messages
 * its schema must refuse. `checkEngine({ dialect })` and `arbOperation({ dialect })` take one, so
 * an engine of any dialect is checked against the same model.
 */
export interface FuzzedDialect<M = Message> {
  readonly dialect: Dialect<M>;
  /** The session's estimator (default kimi-cli's, as `createContext`'s). */
  readonly estimator?: TokenEstimator;
  /** Any message of the dialect: odd text, every kind of part, optional fields. */
  readonly arbMessage: () => fc.Arbitrary<M>;
  /** Values the dialect's schema refuses (an unknown role, a missing field …). */
  readonly invalidMessages: readonly unknown[];
  /**
   * A few messages edits, their guards and appends draw from, so a guard sometimes holds
   * (default: two messages sampled from `arbMessage` with a fixed seed).
   */
  readonly fewMessages?: readonly M[];
}

/** Freezes `fuzzed` after checking what the model relies on: the invalid messages are refused. */
export function defineFuzzedDialect<M>(fuzzed: FuzzedDialect<M>): FuzzedDialect<M> {
  for (const [index, message] of fuzzed.invalidMessages.entries()) {
    if (fuzzed.dialect.schema.safeParse(message).success) {
      throw new TypeError(
        `invalidMessages[${index}]: the ${fuzzed.dialect.name} dialect's schema accepts it, so the engine would too`,
      );
    }
  }
  return Object.freeze({ ...fuzzed });
}

/** The few messages of `fuzzed` that edits and guards draw from. */
export function fewMessagesOf<M>(fuzzed: FuzzedDialect<M>): readonly M[] {
  return fuzzed.fewMessages ?? fc.sample(fuzzed.arbMessage(), { numRuns: 2, seed: 7 });
}

/** Whether `fuzzed` is kimi-cli's dialect with kimi-cli's estimator: a session that declares nothing. */
export function isDefaultDialect(fuzzed: FuzzedDialect<unknown>): boolean {
  const estimator = fuzzed.estimator ?? kimiEstimator;
  return (
    fuzzed.dialect.name === kimiDialect.name &&
    fuzzed.dialect.version === kimiDialect.version &&
    estimator.name === kimiEstimator.name
  );
}

/** kimi-cli's dialect, the default: what the testkit fuzzes when told nothing else. */
export const kimiFuzzedDialect: FuzzedDialect<Message> = defineFuzzedDialect<Message>({
  dialect: kimiDialect,
  arbMessage: () => arbMessage(),
  invalidMessages: [
    { role: 'robot', content: 'hi' },
    { role: 'user' },
    { role: 'user', content: [{ type: 'text' }] },
    { role: 'assistant', content: 'x', tool_calls: [{ type: 'function', id: 'a' }] },
    null,
  ],
  fewMessages: [
    { role: 'user', content: 'again' },
    { role: 'assistant', content: [{ type: 'text', text: 'reply' }] },
  ],
});
