import { ContextlogError } from '@contextlog/core';

/**
 * The connection died (or the server ended it) while a statement was on its way, so whether
 * that statement committed is unknown. Only a client's connection raises it; a store turns it
 * into a definite outcome by reading back on a fresh connection.
 */
export class ConnectionLostError extends ContextlogError {
  readonly code = 'PG_CONNECTION_LOST';
  constructor(cause: unknown) {
    super(
      `the PostgreSQL connection was lost: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
}

/**
 * The events table, or the sessions table that goes with it, does not exist:
 * `migrate(client, { table })` creates both (an events table from an older version gets its
 * sessions table).
 */
export class PgTableMissingError extends ContextlogError {
  readonly code = 'PG_TABLE_MISSING';
  /** The table that is missing: `table` itself, or its sessions table. */
  readonly missing: string;
  constructor(
    readonly table: string,
    options?: ErrorOptions & { readonly missing?: string },
  ) {
    const missing = options?.missing ?? table;
    super(
      `table ${missing} does not exist: run migrate(client, { table: '${table}' }) first`,
      options,
    );
    this.missing = missing;
  }
}

/** `copySession` refuses to write into a session that already has events. */
export class CopyTargetNotEmptyError extends ContextlogError {
  readonly code = 'COPY_TARGET_NOT_EMPTY';
  constructor(readonly target: string) {
    super(`${target} already holds a session: copy writes only into an empty target`);
  }
}
