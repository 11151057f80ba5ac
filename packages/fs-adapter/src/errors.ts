import { ContextlogError } from '@contextlog/core';
import { describe } from './describe.js';

/** Another live process (or this one) holds the session's writer lock. */
export class SessionLockedError extends ContextlogError {
  readonly code = 'SESSION_LOCKED';
  constructor(
    readonly path: string,
    readonly lockPath: string,
    readonly pid: number,
    readonly host: string,
    readonly since: string | undefined,
  ) {
    super(
      `${path} is locked by process ${pid} on host ${host}${
        since === undefined ? '' : ` (since ${since})`
      }: one writer per session; close it there first (the lock is ${lockPath})`,
    );
  }
}

/** `forkSession` (or another writer of a new file) refused to replace an existing file. */
export class TargetExistsError extends ContextlogError {
  readonly code = 'TARGET_EXISTS';
  constructor(readonly path: string) {
    super(`${path} already exists; pass { force: true } to replace it`);
  }
}

/** A followed session file was replaced (snapshotted or rewritten) under the follower. */
export class SessionReplacedError extends ContextlogError {
  readonly code = 'SESSION_REPLACED';
  constructor(readonly path: string) {
    super(`${path} was replaced by another file (snapshot or rewrite); follow it again`);
  }
}

/** An append failed; the file was truncated back, so it is exactly as before the append. */
export class AppendFailedError extends ContextlogError {
  readonly code = 'APPEND_FAILED';
  constructor(
    readonly path: string,
    readonly committedBytes: number,
    cause: unknown,
  ) {
    super(
      `append to ${path} failed (${describe(cause)}); nothing of it was kept: the file was truncated back to its last committed byte ${committedBytes}`,
      { cause },
    );
  }
}

/** A followed session shrank in place: its writer rolled back a write the follower had seen. */
export class SessionRolledBackError extends ContextlogError {
  readonly code = 'SESSION_ROLLED_BACK';
  constructor(
    readonly path: string,
    readonly offset: number,
  ) {
    super(
      `${path}: the writer rolled back a failed write after it was followed (the file no longer holds the bytes followed at byte ${offset}); events emitted since the last acknowledged one may never have been committed: follow it again`,
    );
  }
}

/** The path names a directory (or something else that is not a regular file). */
export class NotAFileError extends ContextlogError {
  readonly code = 'NOT_A_FILE';
  constructor(readonly path: string) {
    super(`${path} is not a regular file (a directory?): a session is one file`);
  }
}

/** An operation on an existing session found no file at the path (and created none). */
export class SessionNotFoundError extends ContextlogError {
  readonly code = 'SESSION_NOT_FOUND';
  constructor(readonly path: string) {
    super(`${path}: no such session file (nothing was created)`);
  }
}
