import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { codeOf } from '@contextlog/core';
import { deleteFileSession, listFileSessions, openFileSession } from '@contextlog/fs-adapter';
import { CHAT_FILE_EXTENSION, chatFileName, chatIdOfFileName } from '../chat-id.js';
import { aiSdkUiDialect } from '../dialect/ai-sdk-ui-dialect.js';
import type { ChatBackend, ChatSummary } from './backend.js';

/**
 * Chats as session files in `dir`, one per chat, named by `chatFileName`. The file store's writer
 * lock makes the open engine the file's only writer, so its state is always the chat's.
 */
export async function fileChatBackend(dir: string): Promise<ChatBackend> {
  await mkdir(dir, { recursive: true });
  const pathOf = (chatId: string) => join(dir, chatFileName(chatId));
  return {
    async exists(chatId) {
      try {
        await stat(pathOf(chatId));
        return true;
      } catch (error) {
        if (codeOf(error) === 'ENOENT') return false;
        throw error;
      }
    },
    async open(chatId) {
      const engine = await openFileSession(pathOf(chatId), { dialect: aiSdkUiDialect });
      return { engine, refresh: async () => 'current' };
    },
    async delete(chatId) {
      try {
        await deleteFileSession(pathOf(chatId));
        return true;
      } catch (error) {
        if (codeOf(error) === 'SESSION_NOT_FOUND') return false;
        throw error;
      }
    },
    async list() {
      const { sessions } = await listFileSessions(dir);
      const chats: ChatSummary[] = [];
      for (const session of sessions) {
        const chatId = chatIdOfFileName(`${session.name}${CHAT_FILE_EXTENSION}`);
        // Files that are no chat's (another name, a broken header) are not chats of this store.
        if (chatId === undefined || session.problem !== undefined) continue;
        chats.push({ chatId, changedAt: session.changedAt });
      }
      return chats;
    },
    close: async () => {},
  };
}
