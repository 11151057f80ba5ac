import { codeOf, createContext } from '@contextlog/core';
import { foldEvents } from '@contextlog/core/store';
import type { PgClient } from '@contextlog/pg-adapter';
import { claudeCodeDialect } from '../dialect/claude-code-dialect.js';
import type { ClaudeEntry } from '../dialect/claude-entry.js';
import { idOfName, pgSessionIdOf } from '../key/session-key.js';
import type { ListedSession, TranscriptBackend } from './backend.js';
import { markerOfEventData } from './last-marker.js';
import type { TranscriptPgClient } from './pg-options.js';

// Another process moved the session between our read and our append: read and plan again.
// Bounded only so that a bug cannot spin forever; each retry means another writer got through.
const ATTEMPTS = 1000;

/**
 * Transcripts as sessions of one PostgreSQL table, session id `project/session[/subpath]`
 * (`pgSessionIdOf`). Each append opens the session, plans against it and appends with its head as
 * `expectedSeq`: a writer of another process that got there first makes it a `ConcurrencyError`,
 * and the append reads and plans again, so concurrent appends are serialized, never refused.
 * `@contextlog/pg-adapter` is loaded here, on first use: a store of files never needs it.
 */
export async function pgBackend(
  pgClient: TranscriptPgClient,
  tableOption: string,
): Promise<TranscriptBackend> {
  const client = pgClient as unknown as PgClient;
  const pg = await import('@contextlog/pg-adapter');
  const table = pg.tableName(tableOption);
  const sessions = pg.sessionsTableName(table);
  await pg.migrate(client, { table: table.name });
  const storeOf = (sessionId: string) => pg.openPgStore({ client, table: table.name, sessionId });

  /** The sessions under `prefix` (one name deeper, no more) that were written, with their last event. */
  async function written(prefix: string): Promise<ListedSession[]> {
    const { rows } = await client.query<{ session_id: string; data: string }>(
      `SELECT s.session_id, e.data::text AS data FROM ${sessions.sql} s
JOIN ${table.sql} e ON e.session_id = s.session_id AND e.seq = s.head
WHERE left(s.session_id, length($1)) = $1 AND strpos(substr(s.session_id, length($1) + 1), '/') = 0
ORDER BY s.session_id`,
      [prefix],
    );
    const listed: ListedSession[] = [];
    for (const row of rows) {
      const sessionId = idOfName(row.session_id.slice(prefix.length));
      const marker = markerOfEventData(row.data);
      if (sessionId !== undefined && marker !== undefined) listed.push({ sessionId, marker });
    }
    return listed;
  }

  async function readMessages(sessionId: string): Promise<ClaudeEntry[] | undefined> {
    const store = await storeOf(sessionId);
    try {
      const state = await foldEvents(store.load(), undefined, { dialects: [claudeCodeDialect] });
      const messages = state.messages as unknown as ClaudeEntry[];
      return messages.length === 0 ? undefined : messages;
    } finally {
      await store.close();
    }
  }

  async function deleteSession(sessionId: string): Promise<void> {
    try {
      await pg.deletePgSession({ client, table: table.name, sessionId });
    } catch (error) {
      if (codeOf(error) !== 'PG_SESSION_NOT_FOUND') throw error;
    }
  }

  return {
    async append(_key, names, plan) {
      const sessionId = pgSessionIdOf(names);
      for (let attempt = 1; ; attempt++) {
        const store = await storeOf(sessionId);
        try {
          const engine = await createContext(store, { dialect: claudeCodeDialect });
          try {
            const stored = engine.state.messages;
            const messages = plan(stored.length === 0 ? undefined : stored);
            if (messages !== undefined) await engine.appendMessages(messages as ClaudeEntry[]);
            return;
          } finally {
            await engine.close();
          }
        } catch (error) {
          if (codeOf(error) !== 'CONCURRENCY' || attempt >= ATTEMPTS) throw error;
          await store.close().catch(() => undefined);
          await new Promise((resolve) =>
            setTimeout(resolve, Math.random() * Math.min(attempt, 20)),
          );
        }
      }
    },
    messages: (names) => readMessages(pgSessionIdOf(names)),
    listSessions: (project) => written(`${project}/`),
    async listSubkeys(project, session) {
      return (await written(`${project}/${session}/`)).map((s) => s.sessionId);
    },
    async delete(names) {
      const sessionId = pgSessionIdOf(names);
      await deleteSession(sessionId);
      if (names.subpath !== undefined) return;
      const { rows } = await client.query<{ session_id: string }>(
        `SELECT session_id FROM ${sessions.sql} WHERE left(session_id, length($1)) = $1`,
        [`${sessionId}/`],
      );
      for (const row of rows) await deleteSession(row.session_id);
    },
    close: async () => {},
  };
}
