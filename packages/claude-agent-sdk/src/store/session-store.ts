import type {
  SessionKey,
  SessionStore,
  SessionStoreEntry,
  SessionSummaryEntry,
} from '@anthropic-ai/claude-agent-sdk';
import { ValidationError } from '@contextlog/core';
import { createSerializer } from '@contextlog/core/store';
import type { Durability } from '@contextlog/fs-adapter';
import { ClaudeStoreClosedError } from '../errors.js';
import { describeKey, idName, keyNames, projectName } from '../key/session-key.js';
import type { TranscriptBackend } from './backend.js';
import { fileBackend } from './file-backend.js';
import { pgBackend } from './pg-backend.js';
import { DEFAULT_TRANSCRIPT_TABLE, type TranscriptPgClient } from './pg-options.js';
import { entriesOf, lastMarkerOf, planAppend } from './plan-append.js';

export interface DirClaudeStoreOptions {
  /** A directory of session files, one folder per project key (created when first written). */
  readonly dir: string;
  /**
   * How long an append (or delete) waits for another process writing the same transcript
   * (default 30 000 ms, half the SDK's 60 s append timeout). Each holds the file for one append.
   */
  readonly lockWaitMs?: number;
  /** fs-adapter's durability (default `'fsync'`: an append resolves once on stable storage). */
  readonly durability?: Durability;
}

export interface PgClaudeStoreOptions {
  /** `pgPoolClient(pool)`, `createPgClient(url)` or `pgliteClient(db)` from `@contextlog/pg-adapter`. */
  readonly client: TranscriptPgClient;
  /** The events table (default `contextlog_claude_transcripts`); `migrate` makes it on open. */
  readonly table?: string;
}

export type ClaudeSessionStoreOptions = DirClaudeStoreOptions | PgClaudeStoreOptions;

/** The SDK's `SessionStore` with every optional method, and `close()`. */
export type ClaudeSessionStore = Required<SessionStore> & {
  /** Waits for the calls under way; later calls reject with `ClaudeStoreClosedError`. */
  close(): Promise<void>;
};

/**
 * A durable `SessionStore` for the Claude Agent SDK: one contextlog session per transcript key
 * (project, session, subpath), in the `claude-code` dialect. Entries are deduplicated by `uuid`
 * (the first wins, against everything stored, in every process); each append is one
 * `messages.appended` event holding the new entries and a marker with its storage time and the
 * SDK's folded summary; listings read each session's last event only. Appends of other processes
 * to the same key wait for each other (files: the writer lock; PostgreSQL: the session head).
 */
export async function createClaudeSessionStore(
  options: ClaudeSessionStoreOptions,
): Promise<ClaudeSessionStore> {
  if ('dir' in options && options.lockWaitMs !== undefined) {
    const { lockWaitMs } = options;
    if (!Number.isFinite(lockWaitMs) || lockWaitMs < 0) {
      throw new ValidationError(
        `lockWaitMs: expected a finite number >= 0, got ${lockWaitMs}`,
        'lockWaitMs',
      );
    }
  }
  const backend: TranscriptBackend =
    'dir' in options
      ? fileBackend({
          dir: options.dir,
          lockWaitMs: options.lockWaitMs ?? 30_000,
          durability: options.durability,
        })
      : await pgBackend(options.client, options.table ?? DEFAULT_TRANSCRIPT_TABLE);
  // Calls run one at a time, in call order: the SDK's contract for one process ("persist entries
  // in append-call order"), and deletes and listings see every append called before them.
  const serial = createSerializer({ closedError: () => new ClaudeStoreClosedError() });
  let lastMtime = 0;
  // Strictly increasing within this store (as the SDK's InMemorySessionStore stamps them), so a
  // listing orders two appends of one millisecond; `planAppend` keeps it after the session's own.
  const clock = () => {
    lastMtime = Math.max(Date.now(), lastMtime + 1);
    return lastMtime;
  };
  const run = <T>(task: () => Promise<T>): Promise<T> => serial.run(task);

  return {
    append: (key: SessionKey, entries: SessionStoreEntry[]) =>
      run(async () => {
        const names = keyNames(key);
        const source = describeKey(key);
        await backend.append(key, names, (stored) => {
          const planned = planAppend(key, source, entries, { messages: stored }, clock());
          const marker = planned === undefined ? undefined : lastMarkerOf(planned);
          if (marker !== undefined) lastMtime = Math.max(lastMtime, marker.mtime);
          return planned;
        });
      }),
    load: (key: SessionKey) =>
      run(async () => {
        const messages = await backend.messages(keyNames(key));
        return messages === undefined ? null : structuredClone(entriesOf(messages));
      }),
    listSessions: (projectKey: string) =>
      run(async () =>
        (await backend.listSessions(projectName(projectKey))).map(({ sessionId, marker }) => ({
          sessionId,
          mtime: marker?.mtime ?? 0,
        })),
      ),
    listSessionSummaries: (projectKey: string) =>
      run(async () => {
        const summaries: SessionSummaryEntry[] = [];
        for (const { sessionId, marker } of await backend.listSessions(projectName(projectKey))) {
          if (marker?.summary === undefined) continue;
          summaries.push({ sessionId, mtime: marker.mtime, data: structuredClone(marker.summary) });
        }
        return summaries;
      }),
    delete: (key: SessionKey) => run(() => backend.delete(keyNames(key))),
    listSubkeys: (key: { projectKey: string; sessionId: string }) =>
      run(() =>
        backend.listSubkeys(projectName(key.projectKey), idName('sessionId', key.sessionId)),
      ),
    async close() {
      await serial.close(() => backend.close());
    },
  };
}
