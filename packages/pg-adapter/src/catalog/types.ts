import type { DialectOptions, DialectRef } from '@contextlog/core';
import type { PgClient } from '../client/types.js';

export interface PgCatalogOptions {
  readonly client: PgClient;
  /** The events table, `table` or `schema.table` (default `contextlog_events`). */
  readonly table?: string;
}

export interface ListPgSessionsOptions extends PgCatalogOptions {
  /** Rows per query (default 1000): memory is the list, each query one page. */
  readonly pageSize?: number;
  /** Called after each page with the number of sessions listed so far. */
  readonly onProgress?: (progress: { readonly listed: number }) => void;
}

export interface PgSessionTarget extends PgCatalogOptions {
  readonly sessionId: string;
}

/** `dialects`, `estimators`: those the reader knows (a session in another gets a warning). */
export interface InspectPgSessionOptions extends PgSessionTarget, DialectOptions {
  /**
   * Events per read (default 1000, as `load()`): memory holds one page. Measured on 100,000
   * small events: 10,000 reads them in half the time of 1000.
   */
  readonly pageSize?: number;
}

/** One session as its row in the sessions table gives it, without reading its events. */
export interface PgSessionInfo {
  readonly sessionId: string;
  /** The session's head: its last seq (its number of events, unless it starts with a snapshot). */
  readonly seq: number;
  /** When its last append committed (the row's `changed_at`, ISO 8601, UTC). */
  readonly changedAt: string;
}

/** One session with what only its events tell (read in full: see `inspectPgSession`). */
export interface PgSessionDetail extends PgSessionInfo {
  readonly messages: number;
  /** The events read. */
  readonly events: number;
  readonly dialect: DialectRef;
  readonly estimator: string;
  /** What this reader does not know of the session (its dialect, its estimator). */
  readonly warnings?: readonly string[];
}

export interface DeletePgResult {
  readonly sessionId: string;
  readonly table: string;
  /** The events deleted. */
  readonly events: number;
}
