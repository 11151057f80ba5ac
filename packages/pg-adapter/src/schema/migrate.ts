import { ValidationError } from '@contextlog/core';
import { inTransaction } from '../client/transaction.js';
import type { PgClient } from '../client/types.js';
import { PgSchemaMismatchError } from '../errors.js';
import { sessionsTableName, snapshotsTableName, tableName } from './table.js';

export type PayloadColumn = 'json' | 'text';

export interface MigrateOptions {
  /** `table` or `schema.table` (default `contextlog_events`). */
  readonly table?: string;
  /**
   * The type of the `data` column when the table is created: `json` (default) or `text`. Never
   * `jsonb`: it rejects `\u0000` and unpaired surrogates, and messages must round-trip exactly.
   */
  readonly payload?: PayloadColumn;
}

export interface MigrateResult {
  readonly table: string;
  /** The sessions table that goes with it (`<table>_sessions`, same schema). */
  readonly sessions: string;
  /** The snapshots table that goes with it (`<table>_snapshots`, same schema). */
  readonly snapshots: string;
  /** The `data` column's type as the table has it (an existing table keeps its own). */
  readonly payload: PayloadColumn;
}

/**
 * Creates the events table if it does not exist: one row per event, primary key
 * `(session_id, seq)`. `append_id` tells whose batch a row belongs to, for settling a write
 * whose connection died; `op` holds the event's operation id (null without one), and is added
 * to a table made before it. Next to it, the sessions table: one row per session with its head
 * (last seq), which every append claims in its own statement, so two writers of one session
 * are serialized on that row whatever seq their batches start at. An events table from before
 * the sessions table gets it here, filled with each session's last seq in the same
 * transaction. And the snapshots table: the parts of each `state.snapshotted` a session keeps
 * out of its events table (see snapshotPgSession), their `data` of the events table's type, made
 * for a table of any earlier version too. Safe to run concurrently and repeatedly.
 */
export async function migrate(
  client: PgClient,
  options: MigrateOptions = {},
): Promise<MigrateResult> {
  const table = tableName(options.table);
  const sessions = sessionsTableName(table);
  const snapshots = snapshotsTableName(table);
  const payload = options.payload ?? 'json';
  if (payload !== 'json' && payload !== 'text') {
    throw new ValidationError(
      `payload: expected 'json' or 'text', got ${String(payload)}`,
      'payload',
    );
  }
  const type = await inTransaction(client, async (connection) => {
    // Concurrent CREATE TABLE IF NOT EXISTS can still collide in the catalog: serialize them.
    await connection.query("SELECT pg_advisory_xact_lock(hashtext('contextlog.migrate'))");
    await connection.query(
      `CREATE TABLE IF NOT EXISTS ${table.sql} (
        session_id text NOT NULL,
        seq bigint NOT NULL,
        type text NOT NULL,
        v integer NOT NULL,
        at text NOT NULL,
        data ${payload} NOT NULL,
        append_id text NOT NULL,
        op text,
        PRIMARY KEY (session_id, seq)
      )`,
    );
    // A table made before operation ids gets their column: nullable, no default, so adding it
    // changes only the catalog (no rewrite of the rows, no long lock), and old rows read null.
    await connection.query(`ALTER TABLE ${table.sql} ADD COLUMN IF NOT EXISTS op text`);
    const { rows: found } = await connection.query<{ found: boolean }>(
      'SELECT to_regclass($1) IS NOT NULL AS found',
      [sessions.sql],
    );
    await connection.query(
      `CREATE TABLE IF NOT EXISTS ${sessions.sql} (
        session_id text PRIMARY KEY,
        head bigint NOT NULL,
        changed_at timestamptz NOT NULL DEFAULT now(),
        meta jsonb
      )`,
    );
    if (found[0]?.found !== true) {
      // Created just now (the advisory lock makes this the only migrate doing so): every
      // session already stored gets its head, before any new writer can claim one.
      await connection.query(
        `INSERT INTO ${sessions.sql} AS s (session_id, head)
         SELECT session_id, max(seq) FROM ${table.sql} GROUP BY session_id
         ON CONFLICT (session_id) DO UPDATE SET head = EXCLUDED.head WHERE s.head < EXCLUDED.head`,
      );
    }
    const { rows } = await connection.query<{ type: string | null }>(
      "SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = 'data' AND NOT attisdropped",
      [table.sql],
    );
    const type = rows[0]?.type;
    if (type === 'json' || type === 'text') {
      // One row per part of a snapshot (one part for most): a state of any size is stored as
      // values of about a megabyte, far from the limits of one value (1 GB, or ~255 MB in jsonb).
      await connection.query(
        `CREATE TABLE IF NOT EXISTS ${snapshots.sql} (
          session_id text NOT NULL,
          seq bigint NOT NULL,
          part integer NOT NULL,
          last boolean NOT NULL,
          v integer NOT NULL,
          at text NOT NULL,
          data ${type} NOT NULL,
          PRIMARY KEY (session_id, seq, part)
        )`,
      );
    }
    return type;
  });
  if (type !== 'json' && type !== 'text') {
    throw new PgSchemaMismatchError(table.name, type ?? undefined);
  }
  return { table: table.name, sessions: sessions.name, snapshots: snapshots.name, payload: type };
}
