import { ContextlogError } from './errors.js';

/** `copyEvents` (and a store's `importEvents`) writes only into a store without events. */
export class CopyTargetNotEmptyError extends ContextlogError {
  readonly code = 'COPY_TARGET_NOT_EMPTY';
  constructor(
    /** The target as the message names it. */
    readonly target: string,
    options?: ErrorOptions,
  ) {
    super(`${target} already holds a session: copy writes only into an empty target`, options);
  }
}

/** After a copy, the target replayed to another state than the source: the copy is not trusted. */
export class CopyMismatchError extends ContextlogError {
  readonly code = 'COPY_MISMATCH';
}
