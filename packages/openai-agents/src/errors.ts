import { ContextlogError } from '@contextlog/core';

declare module '@contextlog/core' {
  interface ContextlogErrorCodes {
    INVALID_HISTORY_TRANSACTION: InvalidHistoryTransactionError;
    INVALID_HISTORY_MUTATION: InvalidHistoryMutationError;
    AGENTS_SESSION_CLOSED: AgentsSessionClosedError;
  }
}

/**
 * `applyHistoryTransaction` was given arguments it cannot apply (an empty operation id, a
 * transaction of another shape, items that are no `AgentInputItem` or not JSON data). Refused
 * before anything changed, operation id not recorded, as the SDK's contract asks.
 */
export class InvalidHistoryTransactionError extends ContextlogError {
  readonly code = 'INVALID_HISTORY_TRANSACTION';
  constructor(
    readonly sessionId: string,
    readonly reason: string,
  ) {
    super(
      `session ${JSON.stringify(sessionId)}: history transaction refused: ${reason}; nothing was changed`,
    );
  }
}

/** `applyHistoryMutations` was given a mutation this session does not know; nothing changed. */
export class InvalidHistoryMutationError extends ContextlogError {
  readonly code = 'INVALID_HISTORY_MUTATION';
  constructor(
    readonly sessionId: string,
    readonly index: number,
    readonly reason: string,
  ) {
    super(
      `session ${JSON.stringify(sessionId)}: mutations[${index}] refused: ${reason}; nothing was changed`,
    );
  }
}

/** A call on a session after its `close()`. */
export class AgentsSessionClosedError extends ContextlogError {
  readonly code = 'AGENTS_SESSION_CLOSED';
  constructor(readonly sessionId: string) {
    super(`session ${JSON.stringify(sessionId)} is closed: open it again with openAgentsSession`);
  }
}
