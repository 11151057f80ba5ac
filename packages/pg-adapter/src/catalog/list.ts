import { ValidationError } from '@contextlog/core';
import { translateMissingTable } from '../errors.js';
import { sessionsTableName, tableName } from '../schema/table.js';
import { catalogStatements, type SessionRow } from './sql.js';
import type { ListPgSessionsOptions, PgSessionInfo } from './types.js';

/**
 * The sessions of a table, by id, from its sessions table alone (`<table>_sessions`: one row per
 * session, with its head and the time of its last append): no event is read, so a listing costs
 * the same for sessions of ten events and of ten million. Read page by page (keyset on the id).
 * A session stored by a version before the sessions table is listed once `migrate` has given it
 * its row. A missing table is `PgTableMissingError`.
 */
export async function listPgSessions(options: ListPgSessionsOptions): Promise<PgSessionInfo[]> {
  const { client } = options;
  const table = tableName(options.table);
  const sql = catalogStatements(table);
  const pageSize = options.pageSize ?? 1000;
  if (!Number.isInteger(pageSize) || pageSize < 1) {
    throw new ValidationError(`pageSize: expected a positive integer, got ${pageSize}`, 'pageSize');
  }
  const sessions: PgSessionInfo[] = [];
  let after = '';
  for (;;) {
    let rows: SessionRow[];
    try {
      ({ rows } = await client.query<SessionRow>(sql.list, [after, pageSize]));
    } catch (error) {
      throw translateMissingTable(error, table.name, sessionsTableName(table).name);
    }
    for (const row of rows) {
      sessions.push({ sessionId: row.session_id, seq: row.head, changedAt: row.changed_at });
    }
    options.onProgress?.({ listed: sessions.length });
    const last = rows.at(-1);
    if (last === undefined || rows.length < pageSize) return sessions;
    after = last.session_id;
  }
}
