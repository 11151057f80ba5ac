import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ConcurrencyError,
  codeOf,
  type DialectOptions,
  type EventStore,
  StoreBrokenError,
  StoreClosedError,
  type StoredEvent,
  ValidationError,
} from '@contextlog/core';
import {
  type AppendOptions,
  checkBatchContinuity,
  createEventParser,
  DEFAULT_KIND,
  type ImportEventsOptions,
  type ImportedEvents,
  isValidatedBatch,
  kindAfter,
  type SessionKind,
} from '@contextlog/core/store';
import { preparer } from '../client/statement.js';
import type { PgClient, PgConnection } from '../client/types.js';
import { PgMigrationNeededError, translateMissingTable } from '../errors.js';
import { opColumnOf } from '../schema/op-column.js';
import {
  checkSessionId,
  checkStorableText,
  sessionChannel,
  sessionsTableName,
  tableName,
} from '../schema/table.js';
import { importLeadingSnapshot } from '../snapshot/import-snapshot.js';
import { type AppendRequest, appendAlone, committerOf } from './group-commit.js';
import { importInTransaction } from './import-events.js';
import { logPlaceOf, readDeclaration, readLogBatches } from './read-log.js';
import { sessionSource } from './rows.js';
import { statements } from './sql.js';

/**
 * `dialects`, `estimators`: besides kimi-cli's, the dialects whose snapshots an import may have to
 * split into part rows (a copied log that starts with a snapshot of such a session).
 */
export interface PgStoreOptions extends DialectOptions {
  /** Where to run: `pgPoolClient(pool)`, `pgliteClient(db)` or `createPgClient(url)`. */
  readonly client: PgClient;
  readonly sessionId: string;
  /** `table` or `schema.table`, created by `migrate` (default `contextlog_events`). */
  readonly table?: string;
  /** Rows per read while loading (default 1000): memory stays one page, not the session. */
  readonly pageSize?: number;
  /**
   * How long an append whose connection was lost keeps trying to find out whether its batch
   * was stored (default 30 s); past it the store reports `StoreBrokenError`.
   */
  readonly settleTimeoutMs?: number;
  /**
   * Send the statements of every append and page read as named prepared statements, parsed and
   * planned once per connection instead of on every call (default true). Turn it off when the
   * client goes through a connection pooler in transaction mode that does not track prepared
   * statements (PgBouncer before 1.21, or without `max_prepared_statements`): there, the next
   * statement may run on a server connection that never prepared it.
   */
  readonly preparedStatements?: boolean;
}

export interface PgEventStore extends EventStore {
  readonly sessionId: string;
  readonly table: string;
  /** The session's last stored seq (0 when it has none). */
  lastSeq(): Promise<number>;
  /**
   * Writes a whole log into this session, which must have no events, in one transaction that
   * claims the session's head like any append. `copyEvents` uses it. Before the COMMIT it reads
   * back a digest of the stored rows, computed by the server, and compares it with the rows it
   * sent (`CopyMismatchError` and a rollback if they differ): `{ checked: true }`, so the copy
   * need not replay the session. `{ checked: false }` when it cannot compare (a log that starts
   * with a snapshot, stored as part rows; a `data` column other than `json` or `text`).
   */
  importEvents(
    events: AsyncIterable<StoredEvent>,
    options: ImportEventsOptions,
  ): Promise<ImportedEvents>;
}

/** The client each store was made on: an import refuses a source on the same PGlite instance. */
const clientOf = new WeakMap<object, PgClient>();

/** `work`, or a rejection once `deadline` has passed without its answer. */
async function beforeDeadline<T>(work: Promise<T>, deadline: number, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${ms} ms`)),
      Math.max(0, deadline - Date.now()),
    );
  });
  // Given up on, it may still fail later: that is no longer anyone's concern.
  work.catch(() => {});
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

const UNIQUE_VIOLATION = '23505';
const SERIALIZATION_FAILURE = '40001';

/** An append whose connection was lost on the way: which batch, on which connection. */
interface LostAppend {
  readonly connection: PgConnection;
  /** The batch's first seq: its row says who wrote it. */
  readonly firstSeq: number;
  readonly appendId: string;
  readonly expectedSeq: number;
}

/**
 * A session in PostgreSQL. Several processes and machines may open the same session: every
 * append names the last seq its writer knows and is refused with `ConcurrencyError` (storing
 * nothing) when the log ends elsewhere. The store keeps no lock and no cache of the log, so a
 * writer that reloads after a conflict continues from what is stored. Async like the memory and
 * file stores: bad options reject.
 */
export async function openPgStore(options: PgStoreOptions): Promise<PgEventStore> {
  return pgStore(options);
}

/** @deprecated use `await openPgStore(options)`: the same store, opened like the others. */
export function createPgStore(options: PgStoreOptions): PgEventStore {
  return pgStore(options);
}

/**
 * `inTransaction`: the store runs inside a caller's transaction (an import): it does not wake
 * followers itself, since the NOTIFY statement turns `synchronous_commit` off until the end of
 * the transaction it runs in, which would make the import's COMMIT return before its flush.
 */
function pgStore(
  options: PgStoreOptions,
  inTransaction = false,
  onStored?: (request: AppendRequest) => void,
): PgEventStore {
  const { client, sessionId } = options;
  checkSessionId(sessionId);
  const table = tableName(options.table);
  const sessions = sessionsTableName(table);
  const sql = statements(table);
  const opColumn = opColumnOf(table);
  const prepared = options.preparedStatements ?? true;
  const prepare = preparer(prepared);
  const channel = sessionChannel(table, sessionId);
  const source = sessionSource(table.name, sessionId);
  const pageSize = options.pageSize ?? 1000;
  const settleTimeoutMs = options.settleTimeoutMs ?? 30_000;
  const dialects: DialectOptions = {
    ...(options.dialects === undefined ? {} : { dialects: options.dialects }),
    ...(options.estimators === undefined ? {} : { estimators: options.estimators }),
  };
  if (!Number.isInteger(pageSize) || pageSize < 1) {
    throw new ValidationError(`pageSize: expected a positive integer, got ${pageSize}`, 'pageSize');
  }
  let closed = false;
  let broken: StoreBrokenError | undefined;
  /** What the log declared, as far as this store has read or written it. */
  let kind: SessionKind = DEFAULT_KIND;
  /** Whether `kind` is the log's: once a load or a first append ran, or its first event was read. */
  let kindKnown = false;
  const notifications = new Set<Promise<void>>();
  const track = (notifying: Promise<void>) => {
    notifications.add(notifying);
    notifying.finally(() => notifications.delete(notifying));
  };

  // The events table of a version before the sessions table: migrate adds it.
  const translate = (error: unknown): unknown =>
    translateMissingTable(error, table.name, sessions.name);

  /**
   * Why a claim failed, read after it: the events end elsewhere, or (when they do end at
   * `expectedSeq`) the head row is past them, because rows were deleted from the events table
   * but not the session's row from the sessions table.
   */
  const refusal = async (expectedSeq: number, firstSeq: number): Promise<ConcurrencyError> => {
    let rows: { last: number; head: number | null }[];
    try {
      ({ rows } = await client.query<{ last: number; head: number | null }>(sql.head, [sessionId]));
    } catch {
      return new ConcurrencyError(expectedSeq, firstSeq);
    }
    const last = rows[0]?.last ?? 0;
    const head = rows[0]?.head ?? null;
    if (last !== expectedSeq || head === null || head <= last) {
      return new ConcurrencyError(expectedSeq, last);
    }
    return new ConcurrencyError(
      expectedSeq,
      head,
      `${source}: its row in ${sessions.name} says the log ends at seq ${head} but the events end at seq ${last} (were rows deleted from ${table.name} only?): delete the session's row in ${sessions.name} too, or reload()`,
    );
  };

  const lastSeq = async (): Promise<number> => {
    try {
      const { rows } = await client.query<{ last: number }>(sql.last, [sessionId]);
      return rows[0]?.last ?? 0;
    } catch (error) {
      throw translate(error);
    }
  };

  /**
   * The connection died while the batch was on its way: whether it committed is unknown. Once
   * the old connection can no longer commit anything, the row at the batch's first seq says
   * who wrote it. If that cannot be found out, the store is broken: it must not say "rejected"
   * about a batch that may be stored.
   */
  const settleLost = async (
    lost: unknown,
    { connection, firstSeq, appendId, expectedSeq }: LostAppend,
  ): Promise<void> => {
    let owner: string | undefined;
    const deadline = Date.now() + settleTimeoutMs;
    const check = async () => {
      await connection.fence();
      const { rows } = await client.query<{ append_id: string }>(sql.owner, [sessionId, firstSeq]);
      return rows[0]?.append_id;
    };
    for (let attempt = 0; ; attempt++) {
      try {
        // An attempt the network leaves without an answer must not outlast the deadline.
        owner = await beforeDeadline(check(), deadline, settleTimeoutMs);
        break;
      } catch (error) {
        // The server may be restarting, or this connection lost too: try again until the deadline.
        if (Date.now() < deadline) {
          await sleep(Math.min(500, 10 * 2 ** attempt));
          continue;
        }
        broken = new StoreBrokenError(
          `${source}: the connection was lost while appending seq ${firstSeq}, and whether that batch was stored could not be established (${
            error instanceof Error ? error.message : String(error)
          }); reopen the session`,
          { cause: lost },
        );
        throw broken;
      }
    }
    if (owner === appendId) return;
    if (owner === undefined) throw lost;
    throw await refusal(expectedSeq, firstSeq);
  };

  const log = logPlaceOf(client, table, sessionId, pageSize, prepare);

  const learnKind = async () => {
    const parser = createEventParser();
    try {
      await readDeclaration(log, parser);
    } catch (error) {
      throw translate(error);
    }
    kind = parser.kind;
    kindKnown = true;
  };

  async function* loadBatches(): AsyncGenerator<readonly StoredEvent[]> {
    if (closed) throw new StoreClosedError();
    // Messages of kimi-cli's dialect are checked here; another dialect's are read as JSON
    // objects, and the engine of that dialect checks them.
    const parser = createEventParser();
    const batches = readLogBatches(log, 0, parser);
    try {
      for (;;) {
        let next: IteratorResult<readonly StoredEvent[]>;
        try {
          next = await batches.next();
        } catch (error) {
          throw translate(error);
        }
        if (next.done === true) return;
        kind = parser.kind;
        kindKnown = true;
        yield next.value;
      }
    } finally {
      await batches.return(undefined);
    }
  }

  const store: PgEventStore = {
    sessionId,
    table: table.name,
    lastSeq,

    async *load() {
      for await (const batch of loadBatches()) yield* batch;
    },

    loadBatches,

    async append(events: readonly StoredEvent[], { expectedSeq }: AppendOptions) {
      if (closed) throw new StoreClosedError();
      if (broken !== undefined) throw broken;
      // Everything is checked before anything is sent: a bad batch changes nothing. The engine's
      // own batches were checked when built (core's events/validated.ts); others with the dialect
      // the log declared, as far as this store has read or written it.
      let parsed = events;
      if (!isValidatedBatch(events)) {
        // A log this store never read may declare another dialect in its first event: read it,
        // so a direct caller's batch is checked as the session's, not as kimi-cli's.
        if (!kindKnown && expectedSeq > 0) await learnKind();
        const parser = createEventParser({ kind });
        parsed = events.map((event) => parser.parse(event));
      }
      let newLast: number;
      try {
        newLast = checkBatchContinuity(parsed, expectedSeq);
      } catch (error) {
        // As every store: a writer whose expectedSeq is off hears that first.
        const actual = await lastSeq();
        if (actual !== expectedSeq) throw new ConcurrencyError(expectedSeq, actual);
        throw error;
      }
      for (const [index, event] of parsed.entries()) {
        checkStorableText(event.at, `events[${index}].at`);
      }
      const first = parsed[0];
      if (first === undefined) {
        const actual = await lastSeq();
        if (actual !== expectedSeq) throw new ConcurrencyError(expectedSeq, actual);
        return;
      }

      let withOp: boolean;
      try {
        withOp = await opColumn.present(client);
      } catch (error) {
        throw translate(error);
      }
      if (!withOp && parsed.some((event) => event.op !== undefined)) {
        throw new PgMigrationNeededError(table.name);
      }
      const appendId = randomUUID();
      const request: AppendRequest = {
        sessionId,
        expectedSeq,
        newLast,
        appendId,
        seqs: parsed.map((event) => event.seq),
        types: parsed.map((event) => event.type),
        vs: parsed.map((event) => event.v),
        ats: parsed.map((event) => event.at),
        datas: parsed.map((event) => JSON.stringify(event.data)),
        ops: withOp ? parsed.map((event) => event.op ?? null) : undefined,
        channel,
      };
      // Inside a caller's transaction the batch goes on its connection, alone and unannounced;
      // otherwise with the batches of other sessions of this client that are waiting.
      const outcome = inTransaction
        ? await appendAlone(client, sql, request, false, prepare)
        : await committerOf(client, table, prepared).commit(request);
      if (outcome.kind === 'lost') {
        await settleLost(outcome.error, {
          connection: outcome.connection,
          firstSeq: first.seq,
          appendId,
          expectedSeq,
        });
        kind = kindAfter(kind, parsed);
        // It landed: wake the followers as after any commit.
        track(
          client.query(sql.notify, [channel, String(newLast)]).then(
            () => {},
            () => {},
          ),
        );
        return;
      }
      if (outcome.kind === 'failed') {
        const code = codeOf(outcome.error);
        if (code === UNIQUE_VIOLATION || code === SERIALIZATION_FAILURE) {
          // A writer that does not claim the head (an older version) stored this seq first, or
          // a serializable transaction lost the head row to another writer.
          throw await refusal(expectedSeq, first.seq);
        }
        throw translate(outcome.error);
      }
      track(outcome.notified);
      if (outcome.inserted !== parsed.length) throw await refusal(expectedSeq, first.seq);
      onStored?.(request);
      kind = kindAfter(kind, parsed);
      if (expectedSeq === 0) kindKnown = true;
    },

    async importEvents(events: AsyncIterable<StoredEvent>, { batchSize, source: from }) {
      if (closed) throw new StoreClosedError();
      if (broken !== undefined) throw broken;
      if (client.kind === 'pglite' && from !== undefined && clientOf.get(from) === client) {
        // Reading the source while the import's transaction holds the one connection would
        // wait for ever.
        throw new ValidationError(
          'copying within one PGlite instance is not supported (it has a single connection)',
          'source',
        );
      }
      return importInTransaction(
        {
          client,
          source,
          table,
          sessionId,
          open: (on, inTransaction, onStored) =>
            pgStore(
              {
                ...options,
                client: on,
                // Inside a transaction nothing is committed before COMMIT: a lost connection
                // lost it all, and there is nothing to settle.
                ...(inTransaction ? { settleTimeoutMs: 0 } : {}),
              },
              inTransaction,
              onStored,
            ),
          importSnapshot: (connection, event) =>
            importLeadingSnapshot(connection, table, sessionId, event, dialects),
        },
        events,
        batchSize,
      ).then((imported) => {
        // Committed: wake the followers once, in a transaction of the notification's own.
        track(
          lastSeq()
            .then(
              (last) => client.query(sql.notify, [channel, String(last)]).then(() => {}),
              () => {},
            )
            .then(
              () => {},
              () => {},
            ),
        );
        return imported;
      });
    },

    async close() {
      closed = true;
      await Promise.all(notifications);
    },
  };
  clientOf.set(store, client);
  return store;
}
