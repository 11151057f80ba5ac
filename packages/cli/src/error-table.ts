import type { ContextlogErrorCode, ContextlogErrorCodes } from '@contextlog/core';

/** How the command line reports one error code. */
export interface ErrorCodeEntry<C extends ContextlogErrorCode = ContextlogErrorCode> {
  /** The package whose error carries the code. */
  readonly package: string;
  /** What the code means: the README's table of codes says the same (error-table.test.ts). */
  readonly meaning: string;
  /** The command's exit status. */
  readonly exitCode: number;
  /** The line to print after `contextlog: `; the error's message when absent. */
  phrase?(error: ContextlogErrorCodes[C]): string;
}

const core = '@contextlog/core';
const fs = '@contextlog/fs-adapter';
const pg = '@contextlog/pg-adapter';
const kimi = '@contextlog/kimi';
const cli = '@contextlog/cli';

/**
 * Every error code of the packages the command line uses, keyed by code so that an error from
 * another copy of a package (which `instanceof` does not recognise) is reported the same. Typed
 * against `ContextlogErrorCode`: a package that adds a code does not compile here until the code
 * has its row.
 */
export const ERROR_TABLE: { readonly [C in ContextlogErrorCode]: ErrorCodeEntry<C> } = {
  VALIDATION: {
    package: core,
    meaning:
      'a command, message, event or option does not match its schema; `path` names the field',
    exitCode: 1,
  },
  CHECKPOINT_NOT_FOUND: {
    package: core,
    meaning: '`revertTo(id)` names a checkpoint that is not live',
    exitCode: 1,
  },
  UNKNOWN_EVENT: {
    package: core,
    meaning: 'an event type or version this reader does not know (never dropped silently)',
    exitCode: 1,
  },
  CONTEXT_CLOSED: {
    package: core,
    meaning: 'the engine was closed; it accepts no command',
    exitCode: 1,
  },
  CONTEXT_BROKEN: {
    package: core,
    meaning: "the engine's store failed in a way it could not undo; reopen the session",
    exitCode: 1,
  },
  STORE_BROKEN: {
    package: core,
    meaning: "the store's log may hold a partial write; nothing may be appended after it",
    exitCode: 1,
  },
  CONCURRENCY: {
    package: core,
    meaning: 'another writer moved the log (`expectedSeq` is stale); `reload()` to continue',
    exitCode: 1,
  },
  QUEUE_FULL: {
    package: core,
    meaning: 'more than `maxPending` commands are waiting to be written',
    exitCode: 1,
  },
  STORE_CLOSED: {
    package: core,
    meaning: 'the store was closed',
    exitCode: 1,
  },
  CORRUPT_SESSION: {
    package: core,
    meaning: 'stored data that cannot be replayed; the message says where (line, byte) and why',
    exitCode: 1,
  },
  DIALECT_MISMATCH: {
    package: core,
    meaning:
      'a session opened with another message dialect or token estimator than the one it declared',
    exitCode: 1,
  },
  UNKNOWN_DIALECT: {
    package: core,
    meaning: 'a snapshot or rewrite of a session whose dialect the reader was not given',
    exitCode: 1,
  },
  COPY_TARGET_NOT_EMPTY: {
    package: core,
    meaning: '`copyEvents` refused a target that already holds events',
    exitCode: 1,
  },
  COPY_MISMATCH: {
    package: core,
    meaning: 'the written copy replays to another state than its source',
    exitCode: 1,
  },
  HISTORY_MISMATCH: {
    package: core,
    meaning: 'a guarded edit found another history than its `expectedSuffix`; nothing changed',
    exitCode: 1,
  },
  OPERATION_CONFLICT: {
    package: core,
    meaning: 'an `operationId` already applied to another command; nothing changed',
    exitCode: 1,
  },
  SESSION_LOCKED: {
    package: fs,
    meaning: "another live process holds the session's writer lock",
    exitCode: 1,
  },
  TARGET_EXISTS: {
    package: fs,
    meaning: 'a writer of a new file refused to replace an existing one (`force` replaces it)',
    exitCode: 1,
  },
  SESSION_REPLACED: {
    package: fs,
    meaning: 'a followed session file was replaced (snapshot or rewrite): follow it again',
    exitCode: 1,
  },
  APPEND_FAILED: {
    package: fs,
    meaning: 'an append failed; the file was truncated back to its last committed byte',
    exitCode: 1,
  },
  SESSION_ROLLED_BACK: {
    package: fs,
    meaning: 'a followed file shrank: its writer rolled back a write the follower had seen',
    exitCode: 1,
  },
  NOT_A_FILE: {
    package: fs,
    meaning: 'the path is a directory, a device, a FIFO or a socket, not a regular file',
    exitCode: 1,
  },
  SESSION_NOT_FOUND: {
    package: fs,
    meaning: 'no session file at the path (none was created)',
    exitCode: 1,
  },
  DIRECTORY_NOT_FOUND: {
    package: fs,
    meaning: 'the directory a new file was to be created in does not exist',
    exitCode: 1,
  },
  DANGLING_SYMLINK: {
    package: fs,
    meaning: 'the path is a symbolic link to a file that does not exist',
    exitCode: 1,
  },
  UNKNOWN_FORMAT: {
    package: fs,
    meaning: 'a format was asked for by a name that is not among the formats given to the reader',
    exitCode: 1,
  },
  STATE_TOO_LARGE: {
    package: fs,
    meaning: "the state's JSON is longer than one JavaScript string; nothing was written",
    exitCode: 1,
  },
  REWRITE_CHECK_FAILED: {
    package: fs,
    meaning: 'a rewritten session replays to another state than promised; the original was kept',
    exitCode: 1,
  },
  WRITE_FAILED: {
    package: fs,
    meaning: 'writing a new file (or moving it into place) failed; the path is as it was',
    exitCode: 1,
  },
  NOT_A_SESSION: {
    package: fs,
    meaning: 'a delete refused a file that is not a contextlog session (or a symbolic link)',
    exitCode: 1,
  },
  KIMI_EXPORT_UNSUPPORTED: {
    package: kimi,
    meaning: 'the session holds something kimi-cli cannot read; nothing was written',
    exitCode: 1,
  },
  PG_CONNECTION_LOST: {
    package: pg,
    meaning:
      'the connection died while a statement was on its way (whether it committed is unknown)',
    exitCode: 1,
  },
  PG_NO_ANSWER: {
    package: pg,
    meaning: 'a check on another connection got no answer in time',
    exitCode: 1,
  },
  PG_FENCE_TIMEOUT: {
    package: pg,
    meaning:
      'after a lost connection, its server process was not seen to end within `fenceTimeoutMs`',
    exitCode: 1,
  },
  PG_TABLE_MISSING: {
    package: pg,
    meaning: 'the events table (or its sessions table) does not exist: run `migrate`',
    exitCode: 1,
  },
  PG_SCHEMA_MISMATCH: {
    package: pg,
    meaning: "the events table's `data` column is neither `json` nor `text`",
    exitCode: 1,
  },
  PG_MIGRATION_NEEDED: {
    package: pg,
    meaning: 'an event with an operation id, and a table without the `op` column: run `migrate`',
    exitCode: 1,
  },
  COPY_SOURCE_EMPTY: {
    package: pg,
    meaning: '`copy` refused a PostgreSQL source without events (nothing created)',
    exitCode: 1,
  },
  PG_SESSION_NOT_FOUND: {
    package: pg,
    meaning: 'no events and no sessions row for the session id in the table (nothing changed)',
    exitCode: 1,
  },
  PG_DRIVER_MISSING: {
    package: pg,
    meaning: 'PostgreSQL was asked for and its driver (`pg`, or PGlite) is not installed',
    exitCode: 1,
  },
  USAGE: {
    package: cli,
    meaning: 'the command line was not understood (unknown command or option, missing argument)',
    exitCode: 2,
    phrase: (error) =>
      `${error.message} (see contextlog${error.command === undefined ? '' : ` ${error.command}`} --help)`,
  },
  FILE_UNUSABLE: {
    package: cli,
    meaning: 'a file the command cannot use: missing, a directory, not a session, in the way',
    exitCode: 1,
  },
};

/** The table's entry for `code`, if the table has one. */
export function errorCodeEntry(code: string): ErrorCodeEntry | undefined {
  return Object.hasOwn(ERROR_TABLE, code)
    ? (ERROR_TABLE as Readonly<Record<string, ErrorCodeEntry>>)[code]
    : undefined;
}
