import { basename } from 'node:path';
import {
  codeOf,
  HistoryMismatchError,
  OperationConflictError,
  ValidationError,
} from '@contextlog/core';
import type {
  AgentInputItem,
  SessionHistoryRewriteArgs,
  SessionHistoryRewriteAwareSession,
  SessionHistoryTransactionArgs,
  SessionHistoryTransactionAwareSession,
} from '@openai/agents-core';
import type { AgentItem } from '../dialect/agent-item.js';
import { AgentsSessionClosedError } from '../errors.js';
import type { SessionBackend } from './backend.js';
import { cloneItems } from './clone-items.js';
import { fileSessionBackend } from './file-backend.js';
import { checkHistoryTransaction } from './history-transaction.js';
import { applyMutations } from './mutations.js';
import { engineOperationId, hashOperationId, transactionsOf } from './operation-ids.js';
import { type AgentsPgClient, DEFAULT_AGENTS_TABLE } from './pg-options.js';

/** Where a session lives: a session file's path, or a PostgreSQL table. */
export type AgentsSessionTarget =
  | string
  | {
      /** A `PgClient` of `@contextlog/pg-adapter` (a `pg` Pool or PGlite). */
      readonly client: AgentsPgClient;
      /** `table` or `schema.table` (default `contextlog_agent_sessions`), migrated on open. */
      readonly table?: string;
    };

export interface AgentsSessionOptions {
  /**
   * What `getSessionId()` returns. A file's default is its name without `.jsonl`; PostgreSQL
   * needs one (it is the row key of the session's events).
   */
  readonly sessionId?: string;
}

/**
 * A durable session of the OpenAI Agents SDK: `Session` with the opt-in capabilities
 * `SessionHistoryTransactionAwareSession` and `SessionHistoryRewriteAwareSession`,
 * `replaceHistoryWithCompaction`, and `close()`.
 */
export interface AgentsSession
  extends SessionHistoryTransactionAwareSession,
    SessionHistoryRewriteAwareSession {
  replaceHistoryWithCompaction(items: AgentInputItem[]): Promise<void>;
  applyHistoryTransaction(args: SessionHistoryTransactionArgs): Promise<void>;
  applyHistoryMutations(args: SessionHistoryRewriteArgs): Promise<void>;
  /** Writes what is queued and releases the session (a file's lock); every later call is refused. */
  close(): Promise<void>;
}

/** How often a write that lost a race to another process (PostgreSQL) is tried again. */
const MAX_WRITE_ATTEMPTS = 20;

/**
 * Opens (creating if need be) a session of `AgentInputItem`s: `openAgentsSession('sessions/
 * abc.jsonl')` for a file, `openAgentsSession({ client }, { sessionId: 'abc' })` for PostgreSQL.
 */
export async function openAgentsSession(
  target: AgentsSessionTarget,
  options: AgentsSessionOptions = {},
): Promise<AgentsSession> {
  let sessionId: string;
  let backend: SessionBackend;
  if (typeof target === 'string') {
    sessionId = options.sessionId ?? basename(target).replace(/\.jsonl$/, '');
    backend = await fileSessionBackend(target);
  } else {
    if (options.sessionId === undefined || options.sessionId === '') {
      throw new ValidationError(
        'openAgentsSession({ client }, options): options.sessionId is required (the row key of the session in its table)',
        'sessionId',
      );
    }
    sessionId = options.sessionId;
    const { pgSessionBackend } = await import('./pg-backend.js');
    backend = await pgSessionBackend(
      target.client,
      target.table ?? DEFAULT_AGENTS_TABLE,
      sessionId,
    );
  }
  return agentsSession(sessionId, backend);
}

function agentsSession(sessionId: string, backend: SessionBackend): AgentsSession {
  const { engine } = backend;
  let closed: Promise<void> | undefined;
  // Calls run one at a time: each reads the history, then writes a change guarded by it.
  let queue: Promise<unknown> = Promise.resolve();
  // The transactions the state remembers (hashed SDK id → fingerprint), as of `indexSeq`.
  let transactions = new Map<string, string>();
  let indexSeq = -1;

  const items = () => engine.state.messages as readonly AgentInputItem[];
  const rememberedTransactions = () => {
    if (indexSeq !== engine.state.seq) {
      transactions = transactionsOf(engine.state.operations);
      indexSeq = engine.state.seq;
    }
    return transactions;
  };

  /** Runs `task` in turn, on the stored session, again after a reload if another writer won. */
  function run<T>(task: () => Promise<T>): Promise<T> {
    if (closed) return Promise.reject(new AgentsSessionClosedError(sessionId));
    const result = queue.then(async () => {
      for (let attempt = 1; ; attempt++) {
        await backend.refresh();
        try {
          return await task();
        } catch (error) {
          if (codeOf(error) !== 'CONCURRENCY' || attempt >= MAX_WRITE_ATTEMPTS) throw error;
          await engine.reload();
        }
      }
    });
    queue = result.catch(() => undefined);
    return result;
  }

  const session: AgentsSession = {
    getSessionId: async () => sessionId,

    getItems: (limit?: number) =>
      run(async () => {
        const all = items();
        // The same arithmetic as MemorySession's, so odd limits (0, negative, fractional) agree.
        if (limit === undefined) return structuredClone([...all]);
        if (limit <= 0) return [];
        return structuredClone(all.slice(Math.max(all.length - limit, 0)));
      }),

    addItems: (added: AgentInputItem[]) =>
      run(async () => {
        if (added.length === 0) return;
        await engine.appendMessages(cloneItems(added) as AgentItem[]);
      }),

    popItem: () =>
      run(async () => {
        const all = items();
        const last = all[all.length - 1];
        if (last === undefined) return undefined;
        await engine.replaceMessages(all.length - 1, [], { expectedSuffix: [last as AgentItem] });
        return structuredClone(last);
      }),

    clearSession: () =>
      run(async () => {
        await engine.clear();
      }),

    replaceHistoryWithCompaction: (replacement: AgentInputItem[]) =>
      run(async () => {
        await engine.compact(cloneItems(replacement) as AgentItem[]);
      }),

    applyHistoryMutations: (args: SessionHistoryRewriteArgs) =>
      run(async () => {
        if (args.mutations.length === 0) return;
        const before = items();
        const after = applyMutations(sessionId, before, args.mutations);
        let from = 0;
        while (from < before.length && from < after.length && sameJson(before[from], after[from])) {
          from++;
        }
        if (from === before.length && from === after.length) return;
        await engine.replaceMessages(from, after.slice(from) as AgentItem[], {
          expectedSuffix: before.slice(from) as AgentItem[],
        });
      }),

    applyHistoryTransaction: (args: SessionHistoryTransactionArgs) =>
      run(async () => {
        const { operationId, transaction, fingerprint } = checkHistoryTransaction(sessionId, args);
        const hashed = hashOperationId(operationId);
        const remembered = rememberedTransactions().get(hashed);
        if (remembered === fingerprint) return;
        if (remembered !== undefined)
          throw new OperationConflictError(operationId, transaction.type);
        const id = engineOperationId(operationId, fingerprint);
        const seq = engine.state.seq;
        const length = items().length;
        if (transaction.type === 'append_items') {
          // An empty append is still an applied operation: an empty edit at the end records it.
          if (transaction.items.length === 0) {
            await engine.replaceMessages(length, [], { expectedSuffix: [], operationId: id });
          } else {
            await engine.appendMessages(transaction.items as AgentItem[], { operationId: id });
          }
        } else {
          const { expectedSuffix, replacement } = transaction;
          const from = length - expectedSuffix.length;
          if (from < 0) throw new HistoryMismatchError(0, expectedSuffix.length, length, undefined);
          await engine.replaceMessages(from, replacement as AgentItem[], {
            expectedSuffix: expectedSuffix as AgentItem[],
            operationId: id,
          });
        }
        // One event written, so it carries the id: the index follows without a rebuild. Anything
        // else (nothing written) leaves it to be rebuilt from the state on its next use.
        if (engine.state.seq === seq + 1) {
          transactions.set(hashed, fingerprint);
          indexSeq = engine.state.seq;
        }
      }),

    close() {
      closed ??= queue.then(() => engine.close());
      return closed;
    },
  };
  return session;
}

function sameJson(left: unknown, right: unknown): boolean {
  return JSON.stringify(left) === JSON.stringify(right);
}
