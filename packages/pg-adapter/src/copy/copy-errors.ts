import { ContextlogError } from '@contextlog/core';

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
