/** Rows of one statement. */
export interface PgRows<R> {
  readonly rows: R[];
}

/** How one statement is sent. */
export interface PgQueryOptions {
  /**
   * Run as the named prepared statement `name` of the connection: parsed and planned on its
   * first use there, only bound and executed after. The name must stand for this text and no
   * other (a hash of it: `statementName`). PGlite ignores it.
   */
  readonly name?: string;
}

export interface PgQueryable {
  query<R extends object = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
    options?: PgQueryOptions,
  ): Promise<PgRows<R>>;
}

/**
 * One connection, held until `release()`. Statements on it run in order; a transaction stays on
 * it. A failure that may have happened after the server committed rejects with
 * `ConnectionLostError`; any other rejection means the statement did not commit.
 */
export interface PgConnection extends PgQueryable {
  /** Gives the connection back; `broken` closes it instead (after a `ConnectionLostError`). */
  release(broken?: boolean): void;
  /**
   * After a `ConnectionLostError`: resolves once nothing this connection sent can still commit
   * (its server process has ended), so a read on another connection gives the final outcome.
   * Rejects when that cannot be established.
   */
  fence(): Promise<void>;
}

/** Unsubscribes a `listen`. */
export type PgUnlisten = () => Promise<void>;

/**
 * The small query interface the PostgreSQL store runs on. Two implementations ship:
 * `pgPoolClient(pool)` for a `pg` Pool and `pgliteClient(db)` for PGlite.
 */
export interface PgClient extends PgQueryable {
  /** `'pg'` or `'pglite'`: PGlite has a single connection, so some guarantees differ. */
  readonly kind: string;
  /** A dedicated connection (for a transaction, or a write whose outcome must be settled). */
  connect(): Promise<PgConnection>;
  /**
   * LISTENs on `channel` (a plain lower-case identifier): `onNotify` gets each payload;
   * `onError` is told once if the listening connection is lost (no more payloads come then).
   * Resolves once the LISTEN is in effect.
   */
  listen(
    channel: string,
    onNotify: (payload: string) => void,
    onError: (error: unknown) => void,
  ): Promise<PgUnlisten>;
  /** Ends what this client owns (a pool it created); a no-op for pools and PGlite handed in. */
  end(): Promise<void>;
}
