import { ContextlogError } from './errors.js';

/**
 * A guarded edit (`replaceMessages(from, messages, { expectedSuffix })`) found another history
 * from `from` on than the caller expected: nothing was changed.
 */
export class HistoryMismatchError extends ContextlogError {
  readonly code = 'HISTORY_MISMATCH';
  constructor(
    /** The index the edit starts at. */
    readonly from: number,
    /** How many messages the caller expected from `from` on. */
    readonly expectedLength: number,
    /** How many there are. */
    readonly actualLength: number,
    /** The first index where the history differs from the expected suffix, if the lengths agree. */
    readonly firstDifference: number | undefined,
  ) {
    super(
      `the history from index ${from} is not the expected suffix: ${
        firstDifference === undefined
          ? `expected ${expectedLength} message(s), found ${actualLength}`
          : `message ${firstDifference} differs (${expectedLength} message(s) expected and found)`
      }; nothing was changed`,
    );
  }
}

/**
 * A command carried an `operationId` the session already applied to another command (a
 * different type or different data): nothing was changed.
 */
export class OperationConflictError extends ContextlogError {
  readonly code = 'OPERATION_CONFLICT';
  constructor(
    readonly operationId: string,
    /** The event type of the command that was refused. */
    readonly type: string,
  ) {
    super(
      `operation ${JSON.stringify(operationId)} was already applied with another command than this ${type}; nothing was changed`,
    );
  }
}
