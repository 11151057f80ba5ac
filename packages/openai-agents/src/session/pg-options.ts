/** The table sessions go to unless `table` says otherwise. */
export const DEFAULT_AGENTS_TABLE = 'contextlog_agent_sessions';

/**
 * A `PgClient` of `@contextlog/pg-adapter` (`pgPoolClient(pool)`, `pgliteClient(db)`), named by
 * its shape so that this package's types never import pg-adapter (nor `pg`'s types).
 */
export interface AgentsPgClient {
  /** `'pg'` or `'pglite'`. */
  readonly kind: string;
  connect(): Promise<unknown>;
  listen(...args: never[]): Promise<unknown>;
  end(): Promise<void>;
}
