import { z } from 'zod';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Whether `value` is an operation id: a string of 1 to 256 characters without NUL or an unpaired
 * surrogate, so that every store keeps it as it is (PostgreSQL text holds neither).
 */
export function isOperationId(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= 256 &&
    !value.includes('\u0000') &&
    !LONE_SURROGATE.test(value)
  );
}

/** An operation id: what a caller names a command by, to retry it safely (`CommandOptions.operationId`). */
export const OperationIdSchema = z
  .string()
  .min(1)
  .max(256)
  .refine(isOperationId, 'an operation id cannot hold NUL or an unpaired surrogate');
