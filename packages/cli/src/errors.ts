import { ContextlogError } from '@contextlog/core';

declare module '@contextlog/core' {
  interface ContextlogErrorCodes {
    USAGE: UsageError;
    FILE_UNUSABLE: FileError;
  }
}

/**
 * The command line was not understood: an unknown command or option, a missing argument. Its
 * exit code and phrasing are in `ERROR_TABLE`, as every other code's.
 */
export class UsageError extends ContextlogError {
  readonly code = 'USAGE';
  constructor(
    message: string,
    /** The command whose help the message points to, if any. */
    readonly command?: string,
  ) {
    super(message);
  }
}

/** A file the command cannot use: missing, a directory, not a session, in the way … */
export class FileError extends ContextlogError {
  readonly code = 'FILE_UNUSABLE';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
  }
}
