import { ContextlogError } from '@contextlog/core';
import { describe } from './describe.js';

declare module '@contextlog/core' {
  interface ContextlogErrorCodes {
    SESSION_LOCKED: SessionLockedError;
    TARGET_EXISTS: TargetExistsError;
    SESSION_REPLACED: SessionReplacedError;
    APPEND_FAILED: AppendFailedError;
    SESSION_ROLLED_BACK: SessionRolledBackError;
    NOT_A_FILE: NotAFileError;
    SESSION_NOT_FOUND: SessionNotFoundError;
    DIRECTORY_NOT_FOUND: DirectoryNotFoundError;
    DANGLING_SYMLINK: DanglingSymlinkError;
    STATE_TOO_LARGE: StateTooLargeError;
    UNKNOWN_FORMAT: UnknownFormatError;
    REWRITE_CHECK_FAILED: RewriteCheckError;
    WRITE_FAILED: WriteFailedError;
    NOT_A_SESSION: NotASessionError;
  }
}

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

/**
 * `forkSession` (or another writer of a new file) refused to replace an existing file. `what`
 * says what is there when it is not plainly a file (a symbolic link to a missing file).
 */
export class TargetExistsError extends ContextlogError {
  readonly code = 'TARGET_EXISTS';
  constructor(
    readonly path: string,
    readonly what?: string,
  ) {
    super(
      `${path} already exists${what === undefined ? '' : ` (${what})`}; pass { force: true } to replace it`,
    );
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

/**
 * The path names a directory (or a name ending in `/`), a device, a FIFO, a socket: anything
 * that is not a regular file. `kind` says which, when known ("a FIFO (named pipe)" …).
 */
export class NotAFileError extends ContextlogError {
  readonly code = 'NOT_A_FILE';
  constructor(
    readonly path: string,
    readonly kind?: string,
  ) {
    super(
      kind === undefined
        ? `${path} is not a regular file (a directory?): a session is one file`
        : `${path} is ${kind}, not a regular file: a session is one file`,
    );
  }
}

/** An operation on an existing session found no file at the path (and created none). */
export class SessionNotFoundError extends ContextlogError {
  readonly code = 'SESSION_NOT_FOUND';
  constructor(readonly path: string) {
    super(`${path}: no such session file (nothing was created)`);
  }
}

/** A file was to be created in a directory that does not exist (or is not a directory). */
export class DirectoryNotFoundError extends ContextlogError {
  readonly code = 'DIRECTORY_NOT_FOUND';
  constructor(
    readonly path: string,
    readonly directory: string,
    readonly notADirectory = false,
  ) {
    super(
      notADirectory
        ? `${path}: ${directory} is not a directory (nothing was created)`
        : `${path}: no such directory ${directory} (nothing was created)`,
    );
  }
}

/**
 * The path is a symbolic link to a file that does not exist. A session is not created through
 * it: its lock would belong to the link until the file exists, then to the file.
 */
export class DanglingSymlinkError extends ContextlogError {
  readonly code = 'DANGLING_SYMLINK';
  constructor(
    readonly path: string,
    readonly linkTarget: string,
  ) {
    super(
      `${path} is a symbolic link to ${linkTarget}, which does not exist (nothing was created): create that file or remove the link`,
    );
  }
}

/**
 * The state cannot be written as the one line of a snapshot: its JSON is longer than the longest
 * string JavaScript can hold. `chars` is its length in UTF-16 code units.
 */
export class StateTooLargeError extends ContextlogError {
  readonly code = 'STATE_TOO_LARGE';
  constructor(
    readonly path: string,
    readonly chars: number,
    readonly limit: number,
  ) {
    super(
      `${path}: the state is too large to snapshot as one line: its JSON is ${chars} characters (${megabytes(chars)}), past the ${limit}-character (${megabytes(limit)}) limit of one JavaScript string; nothing was written`,
    );
  }
}

const megabytes = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;

/** A rewritten session read back to another state than promised; the original was kept. */
export class RewriteCheckError extends ContextlogError {
  readonly code = 'REWRITE_CHECK_FAILED';
  constructor(readonly path: string) {
    super(
      `${path}: the rewritten session does not replay to the promised state; nothing was replaced`,
    );
  }
}

/**
 * Writing a new file (or moving it into place) failed, say for a full disk; the temporary file
 * was removed and `path` is as it was.
 */
export class WriteFailedError extends ContextlogError {
  readonly code = 'WRITE_FAILED';
  constructor(
    readonly path: string,
    cause: unknown,
  ) {
    super(`${path}: writing it failed (${systemReason(cause)}); nothing was changed`, { cause });
  }
}

/** A system error's reason without the internal path Node appends ("ENOSPC: no space …, open '…'"). */
function systemReason(error: unknown): string {
  return describe(error).replace(/, \w+ '.*'$/s, '');
}

/** A reader was asked for a format it was not given (`format` names none of `formats`). */
export class UnknownFormatError extends ContextlogError {
  readonly code = 'UNKNOWN_FORMAT';
  constructor(
    readonly format: string | undefined,
    readonly known: readonly string[],
  ) {
    super(
      format === undefined
        ? 'no session format given: pass at least one in `formats`'
        : `unknown session format ${JSON.stringify(format)}: the formats given are ${known.join(', ')}`,
    );
  }
}

/**
 * `deleteFileSession` refused a file that is not a contextlog session (another format, no
 * contextlog header, or a symbolic link, which is not the session itself); nothing was changed.
 */
export class NotASessionError extends ContextlogError {
  readonly code = 'NOT_A_SESSION';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path} is not a contextlog session: ${reason}; nothing was deleted`);
  }
}
