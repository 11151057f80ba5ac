/**
 * The two kinds of failure the user can fix, each with its exit code. Anything else that reaches
 * the top is a bug in contextlog and is reported with its stack.
 */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(
    message: string,
    /** The command whose help the message points to, if any. */
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A file the command cannot use: missing, a directory, not a session, in the way … */
export class FileError extends Error {
  readonly exitCode = 1;
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'FileError';
  }
}
