import type { PgClient } from '../client/types.js';
import { tableName } from './table.js';

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
  /** The `data` column's type as the table has it (an existing table keeps its own). */
  readonly payload: PayloadColumn;
}

/**
 * Creates the events table if it does not exist: one row per event, primary key
 * `(session_id, seq)`, which is also what stops two writers from storing the same seq.
 * `append_id` tells whose batch a row belongs to, for settling a write whose connection died.
 * Safe to run concurrently and repeatedly.
 */
export async function migrate(
  client: PgClient,
  options: MigrateOptions = {},
): Promise<MigrateResult> {
  const table = tableName(options.table);
  const payload = options.payload ?? 'json';
  if (payload !== 'json' && payload !== 'text') {
    throw new TypeError(`payload: expected 'json' or 'text', got ${String(payload)}`);
  }
  const connection = await client.connect();
  let broken = false;
  try {
    await connection.query('BEGIN');
    try {
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
          PRIMARY KEY (session_id, seq)
        )`,
      );
      const { rows } = await connection.query<{ type: string | null }>(
        "SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = 'data' AND NOT attisdropped",
        [table.sql],
      );
      await connection.query('COMMIT');
      const type = rows[0]?.type;
      if (type !== 'json' && type !== 'text') {
        throw new Error(`${table.name}.data has type ${type ?? 'none'}; expected json or text`);
      }
      return { table: table.name, payload: type };
    } catch (error) {
      await connection.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw error;
    }
  } finally {
    connection.release(broken);
  }
}
