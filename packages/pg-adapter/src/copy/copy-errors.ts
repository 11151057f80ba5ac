import { ContextlogError } from '@contextlog/core';

declare module '@contextlog/core' {
  interface ContextlogErrorCodes {
    COPY_SOURCE_EMPTY: CopySourceEmptyError;
    COPY_CHECK_FAILED: CopyCheckError;
  }
}

/**
 * `copySession` refuses a PostgreSQL source without events (a mistyped session id or table, most
 * likely): copying it would create an empty target and report success.
 */
export class CopySourceEmptyError extends ContextlogError {
  readonly code = 'COPY_SOURCE_EMPTY';
  constructor(
    readonly sessionId: string,
    readonly table: string,
    /** True when the table itself does not exist. */
    readonly tableMissing = false,
    options?: ErrorOptions,
  ) {
    super(
      tableMissing
        ? `session ${JSON.stringify(sessionId)}: there is no table ${table} to copy it from`
        : `session ${JSON.stringify(sessionId)} has no events in table ${table}`,
      options,
    );
  }
}

/**
 * The target, once written, replays to another state than the source did (something changed the
 * rows or the file on the way): the target holds the copy, which is not to be trusted.
 */
export class CopyCheckError extends ContextlogError {
  readonly code = 'COPY_CHECK_FAILED';
  constructor(
    readonly source: string,
    readonly target: string,
  ) {
    super(`${target}: the copy replays to another state than ${source}`);
  }
}
