/** The table transcripts go to unless `table` says otherwise: apart from other sessions. */
export const DEFAULT_TRANSCRIPT_TABLE = 'contextlog_claude_transcripts';

/**
 * A `PgClient` of `@contextlog/pg-adapter`, named by its shape so that this package's types
 * never import pg-adapter (nor, through it, `pg`'s types): a store of files needs neither.
 */
export interface TranscriptPgClient {
  /** `'pg'` or `'pglite'`. */
  readonly kind: string;
  connect(): Promise<unknown>;
  listen(...args: never[]): Promise<unknown>;
  end(): Promise<void>;
}
