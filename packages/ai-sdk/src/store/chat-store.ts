import { encodeChatId } from '../chat-id.js';
import type { UiMessage } from '../dialect/ui-message.js';
import { ChatStoreClosedError } from '../errors.js';
import type { ChatBackend, ChatSummary, OpenChat } from './backend.js';
import { fileChatBackend } from './file-backend.js';
import { createKeyedQueue } from './keyed-queue.js';
import { pgChatBackend } from './pg-backend.js';
import type { ChatPgClient } from './pg-options.js';
import { checkSave, type SaveKind, saveChatMessages } from './save-chat.js';

interface CommonOptions {
  /**
   * Chats whose engine stays open between calls (default 100): each holds a file handle and,
   * in a directory, the file's writer lock. Past it the least recently used idle one is closed
   * (and reopened, from its file or table, when next used).
   */
  readonly maxOpenChats?: number;
}

export interface DirChatStoreOptions extends CommonOptions {
  /** A directory of session files, one per chat (created if missing). */
  readonly dir: string;
}

export interface PgChatStoreOptions extends CommonOptions {
  /** `pgPoolClient(pool)`, `createPgClient(url)` or `pgliteClient(db)` from `@contextlog/pg-adapter`. */
  readonly client: ChatPgClient;
  /** The events table (default `contextlog_chats`); `migrate` makes it when the store opens. */
  readonly table?: string;
}

export type ChatStoreOptions = DirChatStoreOptions | PgChatStoreOptions;

export interface SaveChatOptions<M extends UiMessage = UiMessage> {
  readonly chatId: string;
  readonly messages: readonly M[];
  /**
   * The chat as the caller read it (what `loadChat` gave, `[]` for a new chat): the save is then
   * refused with `HistoryMismatchError`, nothing written, if the chat is no longer that list.
   */
  readonly expected?: readonly M[] | null;
}

export interface SaveChatResult {
  /** `unchanged` (nothing written), `append` or `replace`. */
  readonly kind: SaveKind;
}

/**
 * `M`: the application's UIMessage type (`openChatStore<UIMessage>(…)`, or its own
 * `UIMessage<Metadata, DataParts, Tools>`); by default this package's envelope type (its metadata, data and tool parts). The store checks a
 * message's envelope (the `ai-sdk-ui` dialect), not its parts: `validateUIMessages` with the
 * application's schemas does that, as the SDK's docs advise for any stored chat.
 */
export interface ChatStore<M extends UiMessage = UiMessage> {
  loadChat(chatId: string): Promise<M[] | null>;
  saveChat(options: SaveChatOptions<M>): Promise<SaveChatResult>;
  listChats(): Promise<ChatSummary[]>;
  /** True when there was a chat to delete. */
  deleteChat(chatId: string): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Durable AI SDK chats: one contextlog session per chat, in the `ai-sdk-ui` dialect. Every call
 * on one chat runs after the ones before it, through the one engine the store keeps open for it.
 */
export async function openChatStore<M extends UiMessage = UiMessage>(
  options: ChatStoreOptions,
): Promise<ChatStore<M>> {
  const backend: ChatBackend =
    'dir' in options
      ? await fileChatBackend(options.dir)
      : await pgChatBackend(options.client, options.table);
  const maxOpen = options.maxOpenChats ?? 100;
  const queue = createKeyedQueue();
  // Insertion order is use order: the first entry is the least recently used.
  const open = new Map<string, OpenChat>();
  let closed = false;

  const source = (chatId: string) => `chat ${JSON.stringify(chatId)}`;

  async function drop(chatId: string): Promise<void> {
    const chat = open.get(chatId);
    if (chat === undefined) return;
    open.delete(chatId);
    await chat.engine.close();
  }

  /** The chat's engine, current; undefined for a chat that does not exist (unless `create`). */
  async function chatOf(chatId: string, create: boolean): Promise<OpenChat | undefined> {
    let chat = open.get(chatId);
    if (chat !== undefined) {
      open.delete(chatId);
      if ((await chat.refresh()) === 'gone') {
        await chat.engine.close();
        chat = undefined;
      }
    }
    if (chat === undefined) {
      if (!create && !(await backend.exists(chatId))) return undefined;
      chat = await backend.open(chatId);
    }
    open.set(chatId, chat);
    return chat;
  }

  function evictIdle(): void {
    // The drops run later, in each chat's queue: count them now, and let each one check again.
    const excess = open.size - maxOpen;
    for (const chatId of [...open.keys()].slice(0, Math.max(0, excess))) {
      void queue
        .run(chatId, async () => {
          if (open.size > maxOpen) await drop(chatId);
        })
        .catch(() => undefined);
    }
  }

  function onChat<T>(chatId: string, task: () => Promise<T>): Promise<T> {
    if (closed) return Promise.reject(new ChatStoreClosedError());
    try {
      encodeChatId(chatId);
    } catch (error) {
      return Promise.reject(error);
    }
    const result = queue.run(chatId, task);
    void result.finally(evictIdle).catch(() => undefined);
    return result;
  }

  return {
    loadChat: (chatId) =>
      onChat(chatId, async () => {
        const chat = await chatOf(chatId, false);
        // A copy: the engine's state is frozen and shared; the caller may change what it gets.
        return chat === undefined
          ? null
          : (structuredClone([...chat.engine.state.messages]) as unknown as M[]);
      }),
    saveChat: ({ chatId, messages, expected }) =>
      onChat(chatId, async () => {
        // `null` is what loadChat gives for a chat that does not exist: the chat must still be empty.
        const incoming: readonly UiMessage[] = messages;
        const guard = expected === null ? [] : expected;
        let chat = await chatOf(chatId, false);
        if (chat === undefined) {
          // Refused saves leave no trace, not even the session a new chat's first save creates.
          checkSave([], source(chatId), incoming, guard);
          chat = (await chatOf(chatId, true)) as OpenChat;
        }
        return { kind: await saveChatMessages(chat, source(chatId), incoming, guard) };
      }),
    deleteChat: (chatId) =>
      onChat(chatId, async () => {
        await drop(chatId);
        return backend.delete(chatId);
      }),
    async listChats() {
      if (closed) throw new ChatStoreClosedError();
      return backend.list();
    },
    async close() {
      if (closed) return;
      closed = true;
      await queue.idle();
      const chats = [...open.values()];
      open.clear();
      await Promise.allSettled(chats.map((chat) => chat.engine.close()));
      await backend.close();
    },
  };
}
