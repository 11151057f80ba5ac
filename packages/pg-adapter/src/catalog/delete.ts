import { inTransaction } from '../client/transaction.js';
import type { PgConnection } from '../client/types.js';
import { PgSessionNotFoundError, translateMissingTable } from '../errors.js';
import { snapshotsTableOf } from '../schema/op-column.js';
import { checkSessionId, sessionsTableName, type TableName, tableName } from '../schema/table.js';
import { snapshotStatements } from '../snapshot/sql.js';
import { catalogStatements } from './sql.js';
import type { DeletePgResult, PgSessionTarget } from './types.js';

/**
 * The delete's statements, inside a transaction the caller opened on `connection`.
 *
 * What a writer of the session gets: the append statement (store/sql.ts) claims the session's
 * row only if the events end at its `expectedSeq`, so after the delete has committed a writer
 * that knew seq N > 0 finds no events and stores nothing (`ConcurrencyError`, expected N, actual
 * 0); after `reload()` it sees an empty session and its next append starts one afresh, at seq 1.
 *
 * The table lock is what keeps an append racing the delete from leaving half a session. Without
 * it, an append whose statement began before the delete committed saw the old events (its
 * snapshot), waited on the row the delete holds, and once that row was gone inserted a new one
 * (INSERT … ON CONFLICT retries when the conflicting row is deleted), then its events at N + 1
 * after nothing. With the lock, an append cannot start its statement while the delete runs (it
 * waits for the lock first, then takes its snapshot: it sees the session gone), and the delete
 * waits for appends already running to commit, whose events it then deletes too. The lock holds
 * every append of the table, of every session, for the delete's few statements; readers and
 * followers are not held.
 */
export async function deleteInTransaction(
  connection: PgConnection,
  table: TableName,
  sessionId: string,
): Promise<DeletePgResult> {
  const sql = catalogStatements(table);
  try {
    await connection.query(sql.lockAppends);
    const { rows: events } = await connection.query<{ n: number }>(sql.deleteEvents, [sessionId]);
    const { rows: row } = await connection.query<{ n: number }>(sql.deleteRow, [sessionId]);
    // A table migrated before snapshots has none to delete.
    if (await snapshotsTableOf(table).present(connection)) {
      await connection.query(snapshotStatements(table).deleteAll, [sessionId]);
    }
    const deleted = events[0]?.n ?? 0;
    if (deleted === 0 && (row[0]?.n ?? 0) === 0) {
      throw new PgSessionNotFoundError(sessionId, table.name);
    }
    return { sessionId, table: table.name, events: deleted };
  } catch (error) {
    throw translateMissingTable(error, table.name, sessionsTableName(table).name);
  }
}

/**
 * Deletes a session, its events, its snapshots and its row in the sessions table, in one transaction: see
 * `deleteInTransaction` for what a live writer of the session gets. A session with neither
 * events nor a row is `PgSessionNotFoundError`, and nothing changes. If the connection is lost
 * during the COMMIT, whether the session was deleted is unknown (`ConnectionLostError`): look
 * (`inspectPgSession`), or delete again.
 */
export async function deletePgSession(options: PgSessionTarget): Promise<DeletePgResult> {
  const { client, sessionId } = options;
  checkSessionId(sessionId);
  const table = tableName(options.table);
  return inTransaction(client, (connection) => deleteInTransaction(connection, table, sessionId));
}
