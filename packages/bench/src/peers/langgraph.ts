import type { Message } from '@contextlog/core';
import { createCommitQueue } from './commit-queue.js';
import type { Append, Opened } from './drive.js';
import { type Loaded, loadPeer } from './location.js';
import type { SqliteConstructor } from './sqlite.js';

interface RunnableConfig {
  readonly configurable: { thread_id: string; checkpoint_ns?: string; checkpoint_id?: string };
}

interface Checkpoint {
  readonly v: number;
  readonly id: string;
  readonly ts: string;
  readonly channel_values: { messages: readonly Message[] };
  readonly channel_versions: Record<string, number>;
  readonly versions_seen: Record<string, Record<string, number>>;
}

/** The members of a LangGraph checkpoint saver used here (`BaseCheckpointSaver`). */
export interface Saver {
  put(
    config: RunnableConfig,
    checkpoint: Checkpoint,
    metadata: Record<string, unknown>,
    newVersions: Record<string, number>,
  ): Promise<RunnableConfig>;
  getTuple(
    config: RunnableConfig,
  ): Promise<{ checkpoint: { channel_values: Record<string, unknown> } } | undefined>;
}

interface SqliteSaverModule {
  SqliteSaver: new (db: unknown) => Saver & { db: { pragma(source: string): unknown } };
}

interface PostgresSaverModule {
  PostgresSaver: {
    fromConnString(
      url: string,
      options?: { schema?: string },
    ): Saver & {
      setup(): Promise<void>;
      end(): Promise<void>;
    };
  };
}

export const loadSqliteSaver = () =>
  loadPeer<SqliteSaverModule>('@langchain/langgraph-checkpoint-sqlite');
export const loadPostgresSaver = (): Loaded<PostgresSaverModule> =>
  loadPeer<PostgresSaverModule>('@langchain/langgraph-checkpoint-postgres');

/**
 * The saver on a SQLite file (its own `setup` turns WAL on; `synchronous=FULL` here so that each
 * `put` is fsync'd, as our `durability: 'fsync'`).
 */
export function openSqliteSaver(
  module: SqliteSaverModule,
  Database: SqliteConstructor,
  file: string,
): Saver & { close(): Promise<void> } {
  const db = new Database(file);
  db.pragma('synchronous = FULL');
  const saver = new module.SqliteSaver(db);
  return Object.assign(saver, {
    close: async () => {
      db.close();
    },
  });
}

export type LangGraphVariant = 'per-call' | 'per-tick';

/**
 * A LangGraph thread whose history is its `messages` channel: every turn `put`s a checkpoint
 * holding the whole history, as a LangGraph agent's checkpointer stores it (one writer per
 * thread: the puts are serialized). `per-call`: one put per append call; `per-tick`: one put for
 * every append queued meanwhile. A one-producer `append` (sequential) calls `put` directly.
 */
export function openLangGraphThread(
  saver: Saver,
  variant: LangGraphVariant,
  close: () => Promise<void>,
  threadId = 'bench',
): Opened & { direct: Append; commit(messages: readonly Message[]): Promise<void> } {
  const history: Message[] = [];
  let version = 0;
  let parent: string | undefined;
  const put = async (messages: readonly Message[]) => {
    history.push(...messages);
    version++;
    const id = String(version).padStart(12, '0');
    const checkpoint: Checkpoint = {
      v: 4,
      id,
      ts: new Date().toISOString(),
      channel_values: { messages: history },
      channel_versions: { messages: version },
      versions_seen: {},
    };
    const configurable = { thread_id: threadId, checkpoint_ns: '' };
    await saver.put(
      {
        configurable:
          parent === undefined ? configurable : { ...configurable, checkpoint_id: parent },
      },
      checkpoint,
      { source: 'loop', step: version, parents: {} },
      { messages: version },
    );
    parent = id;
  };
  const queue = createCommitQueue<Message>(
    put,
    variant === 'per-call' ? 1 : Number.MAX_SAFE_INTEGER,
  );
  return {
    append: (message) => queue.append(message),
    direct: (message) => put([message]),
    commit: put,
    close,
  };
}

/** Loads the thread's latest checkpoint (what a resumed agent does): its message count. */
export async function loadLangGraphThread(saver: Saver, threadId = 'bench'): Promise<number> {
  const tuple = await saver.getTuple({ configurable: { thread_id: threadId } });
  const messages = tuple?.checkpoint.channel_values.messages;
  return Array.isArray(messages) ? messages.length : 0;
}
