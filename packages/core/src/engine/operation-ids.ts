import { OperationConflictError } from '../errors/index.js';
import { operationFingerprint } from '../events/fingerprint.js';
import type { JsonValue } from '../events/json.js';
import { OperationIdSchema } from '../events/schemas.js';
import { toValidationError } from '../events/zod-issues.js';
import type { BatchFold } from '../projection/fold.js';
import { findOperation } from '../projection/operations.js';
import type { BuildEvent, CommandData } from './event-builders.js';
import type { CommandOptions } from './types.js';

/** A command's operation id, with the command it names. */
export interface CommandOperation {
  readonly id: string;
  readonly command: CommandData;
}

/**
 * The command's operation, if its options name one: the id is validated at call time, so that a
 * bad id rejects before anything is queued. The command is fingerprinted only if the state
 * remembers its id (most ids are new: hashing each would cost more than the rest of the call).
 */
export function operationOf(
  options: CommandOptions | undefined,
  build: BuildEvent,
): CommandOperation | undefined {
  const id: unknown = options?.operationId;
  if (id === undefined) return undefined;
  const parsed = OperationIdSchema.safeParse(id);
  if (!parsed.success) throw toValidationError(parsed.error, ['operationId']);
  return { id: id as string, command: build.command };
}

/** How a command whose operation id the state remembers settles, without an event of its own. */
export interface Repeat {
  /** What the first command returned. */
  readonly result: JsonValue | undefined;
  /**
   * The first command is in the same batch: the repeat settles as it does (resolves once the
   * batch is committed, rejects with the batch's error if it is not).
   */
  readonly inBatch: boolean;
}

/**
 * At batch formation, against the state the commands before it left: undefined when the id is
 * new (the command makes its event), the repeat when the state remembers it for the same command,
 * and `OperationConflictError` when for another. `batchStart` is where the batch's own ids begin
 * (the end of the ids of the state it folds on).
 */
export function repeatOf(
  fold: BatchFold,
  operation: CommandOperation,
  batchStart: number,
): Repeat | undefined {
  const remembered = findOperation(fold.fields.operations, operation.id);
  if (remembered === undefined) return undefined;
  if (remembered.fingerprint !== operationFingerprint(operation.command)) {
    throw new OperationConflictError(operation.id, operation.command.type);
  }
  return { result: remembered.result, inBatch: remembered.position >= batchStart };
}
