import { ValidationError } from '../errors/index.js';

/**
 * Turns the text a session has not had counted yet (as its dialect measures it) into an estimate
 * of tokens. A session records its estimator by name; a reader that does not know the name
 * reports the estimate as unknown (`null`), never a number from another estimator.
 */
export interface TokenEstimator {
  readonly name: string;
  estimate(textLength: number): number;
}

const NAME = /^[a-z0-9][a-z0-9._/-]{0,63}$/;

/** Checks the estimator's name and freezes it. */
export function defineEstimator(estimator: TokenEstimator): TokenEstimator {
  if (typeof estimator.name !== 'string' || !NAME.test(estimator.name)) {
    throw new ValidationError(
      `estimator.name: expected lower-case letters, digits, ".", "_", "/" or "-" (at most 64), got ${JSON.stringify(estimator.name)}`,
      'estimator.name',
    );
  }
  return Object.freeze({ ...estimator });
}

/** kimi-cli's estimate: a token per four code points of text. The default. */
export const kimiEstimator: TokenEstimator = defineEstimator({
  name: 'kimi-cli',
  estimate: (textLength) => Math.floor(textLength / 4),
});
