import { ContextlogError } from '@contextlog/core';

declare module '@contextlog/core' {
  interface ContextlogErrorCodes {
    INVALID_SESSION_KEY: InvalidSessionKeyError;
    RESERVED_ENTRY_TYPE: ReservedEntryTypeError;
    CLAUDE_STORE_CLOSED: ClaudeStoreClosedError;
  }
}

/**
 * A `SessionKey` whose session id or subpath cannot name a transcript: not a string, empty, not
 * well-formed Unicode, or longer than 200 characters once encoded as a file name (a UUID and a
 * subpath such as `subagents/agent-<id>` fit; project keys of any length do). Nothing was changed.
 */
export class InvalidSessionKeyError extends ContextlogError {
  readonly code = 'INVALID_SESSION_KEY';
  constructor(
    readonly field: 'projectKey' | 'sessionId' | 'subpath',
    readonly value: unknown,
    readonly reason: string,
  ) {
    super(`session key: ${field} ${describe(value)} is refused: ${reason}; nothing was changed`);
  }
}

/**
 * An entry to append has the `type` this store writes after each batch (`contextlog.summary`),
 * which `load` leaves out: it could not be given back. Nothing of the batch was appended.
 */
export class ReservedEntryTypeError extends ContextlogError {
  readonly code = 'RESERVED_ENTRY_TYPE';
  constructor(
    readonly index: number,
    readonly source: string,
  ) {
    super(
      `${source}: entries[${index}] has type "contextlog.summary", which this store reserves for its own summary entries; nothing was appended`,
    );
  }
}

/** A call on a Claude session store after its `close()`. */
export class ClaudeStoreClosedError extends ContextlogError {
  readonly code = 'CLAUDE_STORE_CLOSED';
  constructor() {
    super('the Claude session store is closed: open another with createClaudeSessionStore');
  }
}

function describe(value: unknown): string {
  if (typeof value !== 'string') return `(${typeof value})`;
  const shown = value.length > 80 ? `${value.slice(0, 80)}…` : value;
  return `${JSON.stringify(shown)}${value.length > 80 ? ` (${value.length} UTF-16 units)` : ''}`;
}
