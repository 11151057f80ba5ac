import { createHash } from 'node:crypto';
import type { OperationRecord } from '@contextlog/core';

/**
 * The engine operation id a transaction is stored under: `oa1.<sha256 of the SDK's operation
 * id>.<the transaction's fingerprint>`. The engine's own fingerprint of a `messages.replaced`
 * holds the index the edit starts at, which the SDK's contract must not see (a retried
 * `replace_suffix` after the history grew is a no-op, not a conflict), so the transaction's
 * identity travels in the id itself; hashing the SDK's id lets any non-blank string be one (the
 * engine's ids stop at 256 characters and refuse NUL).
 */
export function engineOperationId(operationId: string, fingerprint: string): string {
  return `oa1.${hashOperationId(operationId)}.${fingerprint}`;
}

export function hashOperationId(operationId: string): string {
  // JSON.stringify spells a lone surrogate as an escape, so distinct ids never share a hash input.
  return createHash('sha256').update(JSON.stringify(operationId)).digest('hex');
}

const ENGINE_ID = /^oa1\.([0-9a-f]{64})\.([0-9a-f]{64})$/;

/** The transactions a state remembers: hashed SDK operation id → transaction fingerprint. */
export function transactionsOf(records: readonly OperationRecord[]): Map<string, string> {
  const transactions = new Map<string, string>();
  for (const { id } of records) {
    const match = ENGINE_ID.exec(id);
    if (match) transactions.set(match[1] as string, match[2] as string);
  }
  return transactions;
}
