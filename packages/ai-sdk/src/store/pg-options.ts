/** The table chats go to unless `table` says otherwise: apart from other sessions, so `listChats` lists chats only. */
export const DEFAULT_CHAT_TABLE = 'contextlog_chats';

/**
 * A `PgClient` of `@contextlog/pg-adapter`, named by its shape so that this package's types
 * never import pg-adapter (nor, through it, `pg`'s types): a store of files needs neither.
 */
export interface ChatPgClient {
  /** `'pg'` or `'pglite'`. */
  readonly kind: string;
  connect(): Promise<unknown>;
  listen(...args: never[]): Promise<unknown>;
  end(): Promise<void>;
}
