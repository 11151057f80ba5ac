import { ContextlogError, codeOf } from '@contextlog/core';
import type { NoAnswerError } from './client/side-query.js';

declare module '@contextlog/core' {
  interface ContextlogErrorCodes {
    PG_CONNECTION_LOST: ConnectionLostError;
    PG_NO_ANSWER: NoAnswerError;
    PG_FENCE_TIMEOUT: PgFenceTimeoutError;
    PG_TABLE_MISSING: PgTableMissingError;
    PG_SCHEMA_MISMATCH: PgSchemaMismatchError;
    PG_MIGRATION_NEEDED: PgMigrationNeededError;
    COPY_SOURCE_EMPTY: CopySourceEmptyError;
    PG_SESSION_NOT_FOUND: PgSessionNotFoundError;
    PG_DRIVER_MISSING: DriverMissingError;
  }
}

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
 * After a lost connection, `fence()` could not establish within `fenceTimeoutMs` that the server
 * process behind it ended, so whatever that connection sent may still commit.
 */
export class PgFenceTimeoutError extends ContextlogError {
  readonly code = 'PG_FENCE_TIMEOUT';
  constructor(
    readonly pid: number,
    readonly timeoutMs: number,
    options?: ErrorOptions,
  ) {
    super(`could not establish that server process ${pid} ended within ${timeoutMs} ms`, options);
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

const UNDEFINED_TABLE = '42P01';

/**
 * A statement's "relation does not exist" as `PgTableMissingError` (naming the sessions table
 * when that is the one missing: an events table of a version before it); any other error as is.
 */
export function translateMissingTable(error: unknown, table: string, sessions: string): unknown {
  if (codeOf(error) !== UNDEFINED_TABLE) return error;
  const missing = error instanceof Error && error.message.includes(`${sessions.split('.').pop()}"`);
  return new PgTableMissingError(table, {
    cause: error,
    ...(missing ? { missing: sessions } : {}),
  });
}

/** An events table whose `data` column is neither `json` nor `text`: contextlog cannot use it. */
export class PgSchemaMismatchError extends ContextlogError {
  readonly code = 'PG_SCHEMA_MISMATCH';
  constructor(
    readonly table: string,
    readonly dataType: string | undefined,
  ) {
    super(`${table}.data has type ${dataType ?? 'none'}; expected json or text`);
  }
}

// The shape of every contextlog error (a code, readonly fields, one message), as in fs-adapter.
/**
 * An event with an operation id was to be appended to an events table made before operation ids
 * (it has no `op` column): nothing was written. `migrate(client, { table })` adds the column; the
 * table's events read as before without it.
 */
export class PgMigrationNeededError extends ContextlogError {
  readonly code = 'PG_MIGRATION_NEEDED';
  constructor(readonly table: string) {
    super(
      `table ${table} has no op column to store operation ids: run migrate(client, { table: '${table}' }) first; nothing was written`,
    );
  }
}

/**
 * A copy from PostgreSQL (`contextlog copy`) refuses a session without events (a mistyped
 * session id or table, most likely): copying it would create an empty target and report success.
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
 * `inspectPgSession` or `deletePgSession` found neither events nor a sessions row for the session
 * (a mistyped id or table, most likely); nothing was changed.
 */
export class PgSessionNotFoundError extends ContextlogError {
  readonly code = 'PG_SESSION_NOT_FOUND';
  constructor(
    readonly sessionId: string,
    readonly table: string,
  ) {
    super(`session ${JSON.stringify(sessionId)} is not in table ${table} (nothing was changed)`);
  }
}

/** The driver packages contextlog loads on demand (optional peer dependencies). */
export type PgDriverName = 'pg' | '@electric-sql/pglite';

/**
 * PostgreSQL was asked for, but the driver package it needs is not installed (`pg` for a
 * server, `@electric-sql/pglite` for PGlite): they are optional peer dependencies, so that
 * users who do not need them do not install them.
 */
export class DriverMissingError extends ContextlogError {
  readonly code = 'PG_DRIVER_MISSING';
  constructor(
    readonly driver: PgDriverName,
    options?: ErrorOptions,
  ) {
    const what = driver === 'pg' ? 'a PostgreSQL server needs' : 'PGlite needs';
    super(
      `${what} the ${driver} package, which is not installed: install it next to @contextlog/pg-adapter (npm install ${driver}; npm install -g ${driver} for a global contextlog)`,
      options,
    );
  }
}
