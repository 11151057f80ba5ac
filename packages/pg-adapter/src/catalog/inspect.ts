import { CorruptSessionError, describeError } from '@contextlog/core';
import { createKindResolver, createMessageCounter, unknownParts } from '@contextlog/core/store';
import { PgSessionNotFoundError, translateMissingTable } from '../errors.js';
import { sessionsTableName, tableName } from '../schema/table.js';
import { openPgStore } from '../store/pg-store.js';
import { sessionSource } from '../store/rows.js';
import { catalogStatements } from './sql.js';
import type { InspectPgSessionOptions, PgSessionDetail } from './types.js';

/**
 * One session with its message count, dialect and estimator. PostgreSQL stores no count, so
 * this is a replay: every event is read, page by page as `load()` reads them, into core's
 * message counter (memory is one page and the live checkpoint marks, not the history); the
 * head and last change come from the session's row. Keeping a count in the row instead would
 * cost every append a computation of its effect (a revert or compaction needs the marks) and a
 * write: not worth it for a catalog. A session with neither events nor a row is
 * `PgSessionNotFoundError`; a log that cannot be replayed, `CorruptSessionError`.
 */
export async function inspectPgSession(options: InspectPgSessionOptions): Promise<PgSessionDetail> {
  const { client, sessionId } = options;
  const table = tableName(options.table);
  const store = await openPgStore({
    client,
    sessionId,
    table: table.name,
    ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }),
  });
  const row = await client
    .query<{ head: number; changed_at: string }>(catalogStatements(table).row, [sessionId])
    .then(
      ({ rows }) => rows[0],
      (error: unknown) => {
        throw translateMissingTable(error, table.name, sessionsTableName(table).name);
      },
    );
  const counter = createMessageCounter();
  let events = 0;
  let lastAt: string | undefined;
  try {
    for await (const event of store.load()) {
      try {
        counter.apply(event);
      } catch (error) {
        // A revert to a checkpoint that is not live: the log cannot be replayed.
        throw new CorruptSessionError(
          sessionSource(table.name, sessionId),
          undefined,
          undefined,
          `seq ${event.seq}: ${event.type} cannot apply: ${describeError(error)}`,
          { cause: error },
        );
      }
      events++;
      lastAt = event.at;
    }
  } finally {
    await store.close();
  }
  if (row === undefined && events === 0) throw new PgSessionNotFoundError(sessionId, table.name);
  const warnings = unknownParts(createKindResolver(options)(counter.dialect, counter.estimator));
  return {
    sessionId,
    // The events, not the head: a row left behind by deleting only the events says more than is there.
    seq: counter.seq,
    // A session written before the sessions table has no row until `migrate` gives it one.
    changedAt: row?.changed_at ?? lastAt ?? '',
    messages: counter.messageCount,
    events,
    dialect: counter.dialect,
    estimator: counter.estimator,
    ...(warnings.length === 0 ? {} : { warnings }),
  };
}
