import { createHash } from 'node:crypto';
import { canonicalJson } from '@contextlog/core/store';
import type { AgentInputItem, SessionHistoryTransaction } from '@openai/agents-core';
import { protocol } from '@openai/agents-core';
import { AgentItemSchema } from '../dialect/agent-item.js';
import { InvalidHistoryTransactionError } from '../errors.js';
import { cloneItems } from './clone-items.js';

/** A transaction as it will be applied: its items copied and checked, and its fingerprint. */
export interface CheckedTransaction {
  readonly operationId: string;
  readonly transaction: SessionHistoryTransaction;
  /** SHA-256 of the transaction as canonical JSON: what a repeat of the operation must match. */
  readonly fingerprint: string;
}

/**
 * `applyHistoryTransaction`'s arguments checked as `MemorySession` checks them (a non-blank
 * operation id; exactly the fields of `append_items` or `replace_suffix`; every item one that
 * the SDK's `protocol.ModelItem` accepts) and as this session stores them (JSON data, the
 * `openai-agents` dialect). Throws `InvalidHistoryTransactionError` before anything changes.
 */
export function checkHistoryTransaction(sessionId: string, args: unknown): CheckedTransaction {
  const refuse = (reason: string) => new InvalidHistoryTransactionError(sessionId, reason);
  if (typeof args !== 'object' || args === null) throw refuse('the arguments are not an object');
  const { operationId, transaction } = args as { operationId?: unknown; transaction?: unknown };
  if (typeof operationId !== 'string' || operationId.trim() === '') {
    throw refuse('operationId must be a non-empty string');
  }
  if (typeof transaction !== 'object' || transaction === null || Array.isArray(transaction)) {
    throw refuse('transaction must be an object');
  }
  const record = transaction as Record<string, unknown>;
  const keys = Object.keys(record).sort().join(',');
  let checked: SessionHistoryTransaction;
  if (record.type === 'append_items') {
    if (keys !== 'items,type') throw refuse('append_items takes exactly type and items');
    checked = { type: 'append_items', items: checkItems(record.items, 'items', refuse) };
  } else if (record.type === 'replace_suffix') {
    if (keys !== 'expectedSuffix,replacement,type') {
      throw refuse('replace_suffix takes exactly type, expectedSuffix and replacement');
    }
    checked = {
      type: 'replace_suffix',
      expectedSuffix: checkItems(record.expectedSuffix, 'expectedSuffix', refuse),
      replacement: checkItems(record.replacement, 'replacement', refuse),
    };
  } else {
    throw refuse(`unsupported transaction type ${JSON.stringify(record.type)}`);
  }
  const fingerprint = createHash('sha256').update(canonicalJson(checked)).digest('hex');
  return { operationId, transaction: checked, fingerprint };
}

function checkItems(
  value: unknown,
  field: string,
  refuse: (reason: string) => InvalidHistoryTransactionError,
): AgentInputItem[] {
  if (!Array.isArray(value)) throw refuse(`${field} must be an array`);
  let items: AgentInputItem[];
  try {
    items = cloneItems(value as AgentInputItem[]);
  } catch (error) {
    throw refuse(`${field}: ${(error as Error).message}`);
  }
  items.forEach((item, index) => {
    if (!protocol.ModelItem.safeParse(item).success) {
      throw refuse(`${field}[${index}] is not an AgentInputItem the SDK accepts`);
    }
    const own = AgentItemSchema.safeParse(item);
    if (!own.success) {
      throw refuse(
        `${field}[${index}] is not an openai-agents item: ${own.error.issues[0]?.message}`,
      );
    }
  });
  return items;
}
