import type { ContextEngine } from '@contextlog/core';
import type { UiMessage } from '../dialect/ui-message.js';

/** One chat's engine as a backend opened it. */
export interface OpenChat {
  readonly engine: ContextEngine<UiMessage>;
  /**
   * Brings the engine up to the chat as the store holds it now: a no-op where the engine is the
   * chat's only writer (a file under its lock); with PostgreSQL, a reload when another process
   * wrote. `'gone'` when the chat was deleted meanwhile (the engine must then be dropped).
   */
  refresh(): Promise<'current' | 'gone'>;
}

export interface ChatSummary {
  readonly chatId: string;
  /** When the chat last changed (ISO 8601). */
  readonly changedAt: string;
}

/** Where chats live: a directory of session files, or a PostgreSQL table. */
export interface ChatBackend {
  /** Whether the chat has been saved (and not deleted), without creating anything. */
  exists(chatId: string): Promise<boolean>;
  /** Opens the chat's engine, creating the session (its `session.declared` event) if need be. */
  open(chatId: string): Promise<OpenChat>;
  /** Deletes the chat's session; false when there was none. Its engine is closed already. */
  delete(chatId: string): Promise<boolean>;
  list(): Promise<ChatSummary[]>;
  close(): Promise<void>;
}
