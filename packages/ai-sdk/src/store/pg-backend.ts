import { codeOf, createContext } from '@contextlog/core';
import type { PgClient } from '@contextlog/pg-adapter';
import { encodeChatId } from '../chat-id.js';
import { aiSdkUiDialect } from '../dialect/ai-sdk-ui-dialect.js';
import type { ChatBackend } from './backend.js';
import { type ChatPgClient, DEFAULT_CHAT_TABLE } from './pg-options.js';

/**
 * Chats as sessions in a PostgreSQL table (session id = chat id). `@contextlog/pg-adapter` is
 * loaded here, on first use, so that a store of files never needs it (nor `pg`) installed.
 * Other processes may write the same chats: each operation first compares the session's head
 * with the engine's and reloads when they differ.
 */
export async function pgChatBackend(
  pgClient: ChatPgClient,
  table = DEFAULT_CHAT_TABLE,
): Promise<ChatBackend> {
  // What the caller passed is a PgClient made by pg-adapter; the type checked its shape.
  const client = pgClient as unknown as PgClient;
  const pg = await import('@contextlog/pg-adapter');
  await pg.migrate(client, { table });
  const storeOf = (chatId: string) => {
    encodeChatId(chatId); // the same ids as a directory store: InvalidChatIdError otherwise
    return pg.openPgStore({ client, table, sessionId: chatId });
  };
  return {
    async exists(chatId) {
      const store = await storeOf(chatId);
      try {
        return (await store.lastSeq()) > 0;
      } finally {
        await store.close();
      }
    },
    async open(chatId) {
      const store = await storeOf(chatId);
      const opened = await createContext(store, { dialect: aiSdkUiDialect }).catch(
        async (error: unknown) => {
          await store.close().catch(() => undefined);
          throw error;
        },
      );
      return {
        engine: opened,
        async refresh() {
          const head = await store.lastSeq();
          if (head === 0) return 'gone';
          if (head !== opened.state.seq) await opened.reload();
          return 'current';
        },
      };
    },
    async delete(chatId) {
      encodeChatId(chatId);
      try {
        await pg.deletePgSession({ client, table, sessionId: chatId });
        return true;
      } catch (error) {
        if (codeOf(error) === 'PG_SESSION_NOT_FOUND') return false;
        throw error;
      }
    },
    async list() {
      const sessions = await pg.listPgSessions({ client, table });
      return sessions.map(({ sessionId, changedAt }) => ({ chatId: sessionId, changedAt }));
    },
    close: async () => {},
  };
}
