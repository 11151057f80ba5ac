import { stat, truncate, unlink } from 'node:fs/promises';
import {
  ConcurrencyError,
  type ContextState,
  codeOf,
  createReplayer,
  type EventStore,
  hasCode,
  type StoredEvent,
  stateToJson,
  ValidationError,
} from '@contextlog/core';
import { openFileStore, readSessionEvents } from '@contextlog/fs-adapter';
import { createPgClient } from '../client/pool-client.js';
import type { PgClient, PgConnection } from '../client/types.js';
import { CopyTargetNotEmptyError } from '../errors.js';
import { migrate, type PayloadColumn } from '../schema/migrate.js';
import { DEFAULT_TABLE } from '../schema/table.js';
import { createPgStore } from '../store/pg-store.js';
import { CopyCheckError, CopySourceEmptyError } from './copy-errors.js';
import {
  isPgUrl,
  type PgSessionLocation,
  parsePgUrl,
  type SessionLocation,
  sessionIdOfPath,
} from './location.js';

export interface CopySessionOptions {
  /**
   * The PostgreSQL session id when the location does not name one (a URL without `?session=`).
   * Default when copying a file: the file's name without its extension.
   */
  readonly sessionId?: string;
  /** The table when the location does not name one (default `contextlog_events`). */
  readonly table?: string;
  /** The `data` column type if the copy creates the table (default `json`). */
  readonly payload?: PayloadColumn;
  /** Events per write (default 1000); a PostgreSQL target is written in one transaction. */
  readonly batchSize?: number;
}

export interface CopySessionResult {
  /** The source and target as messages name them (passwords hidden). */
  readonly source: string;
  readonly target: string;
  readonly events: number;
  /** The last seq copied (the seq numbers are kept). */
  readonly lastSeq: number;
  /** The replayed state, equal on both sides (checked after the copy). */
  readonly state: ContextState;
}

type Side =
  | { readonly kind: 'file'; readonly path: string; readonly display: string }
  | {
      readonly kind: 'pg';
      readonly client: PgClient;
      readonly sessionId: string;
      readonly table: string;
      readonly display: string;
      readonly owned: boolean;
    };

function resolve(
  location: SessionLocation,
  other: SessionLocation,
  options: CopySessionOptions,
): Side {
  const defaultSession = () => {
    if (options.sessionId !== undefined) return options.sessionId;
    if (typeof other === 'string' && !isPgUrl(other)) return sessionIdOfPath(other);
    throw new ValidationError(
      'session: name the PostgreSQL session, e.g. postgres://host/db?session=ID',
      'session',
    );
  };
  if (typeof location !== 'string') {
    const pg: PgSessionLocation = location;
    const table = pg.table ?? options.table ?? DEFAULT_TABLE;
    return {
      kind: 'pg',
      client: pg.client,
      sessionId: pg.sessionId,
      table,
      display: `${pg.client.kind} table ${table}, session ${JSON.stringify(pg.sessionId)}`,
      owned: false,
    };
  }
  if (!isPgUrl(location)) return { kind: 'file', path: location, display: location };
  const url = parsePgUrl(location);
  return {
    kind: 'pg',
    client: createPgClient(url.connectionString, { max: 2 }),
    sessionId: url.sessionId ?? defaultSession(),
    table: url.table ?? options.table ?? DEFAULT_TABLE,
    display: url.display,
    owned: true,
  };
}

/**
 * Copies a session between a contextlog file and PostgreSQL (either way; file to file and
 * PostgreSQL to PostgreSQL work too), keeping its seq numbers. The target must be empty (a
 * missing or empty file, a session without events); the table is created if missing. A
 * PostgreSQL source must have events (`CopySourceEmptyError` otherwise, nothing created). A
 * PostgreSQL target is written in one transaction, a file target under the file's writer lock
 * and removed again if the copy fails. Afterwards the target is replayed and its state must
 * equal the source's.
 */
export async function copySession(
  source: SessionLocation,
  target: SessionLocation,
  options: CopySessionOptions = {},
): Promise<CopySessionResult> {
  const batchSize = options.batchSize ?? 1000;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new ValidationError(
      `batchSize: expected a positive integer, got ${batchSize}`,
      'batchSize',
    );
  }
  const from = resolve(source, target, options);
  let to: Side | undefined;
  try {
    to = resolve(target, source, options);
    if (
      from.kind === 'pg' &&
      to.kind === 'pg' &&
      from.client === to.client &&
      from.client.kind === 'pglite'
    ) {
      // One connection: reading the source while the target's transaction holds it would wait
      // for ever.
      throw new ValidationError(
        'copying within one PGlite instance is not supported (it has a single connection)',
        'target',
      );
    }
    if (from.kind === 'pg') await checkSourceHasEvents(from);
    const replayer = createReplayer();
    const events = sourceEvents(from);
    const counted = async function* () {
      for await (const event of events) {
        replayer.apply(event);
        yield event;
      }
    };
    const copied =
      to.kind === 'file'
        ? await writeFile(to.path, counted(), batchSize)
        : await writePg(to, counted(), batchSize, options.payload);
    const state = replayer.state;
    const copy = await replayTarget(to);
    if (JSON.stringify(stateToJson(copy)) !== JSON.stringify(stateToJson(state))) {
      throw new CopyCheckError(from.display, to.display);
    }
    return {
      source: from.display,
      target: to.display,
      events: copied.events,
      lastSeq: copied.lastSeq,
      state,
    };
  } finally {
    if (from.kind === 'pg' && from.owned) await from.client.end();
    if (to?.kind === 'pg' && to.owned) await to.client.end();
  }
}

/** Before anything is created: an empty PostgreSQL source is a mistake, not a session to copy. */
async function checkSourceHasEvents(side: Extract<Side, { kind: 'pg' }>): Promise<void> {
  let last: number;
  try {
    last = await createPgStore({
      client: side.client,
      sessionId: side.sessionId,
      table: side.table,
    }).lastSeq();
  } catch (error) {
    if (hasCode(error, 'PG_TABLE_MISSING')) {
      throw new CopySourceEmptyError(side.sessionId, side.table, true, { cause: error });
    }
    throw error;
  }
  if (last === 0) throw new CopySourceEmptyError(side.sessionId, side.table);
}

function sourceEvents(side: Side): AsyncIterable<StoredEvent> {
  return side.kind === 'file'
    ? readSessionEvents(side.path)
    : createPgStore({ client: side.client, sessionId: side.sessionId, table: side.table }).load();
}

async function replayTarget(side: Side): Promise<ContextState> {
  const replayer = createReplayer();
  for await (const event of sourceEvents(side)) replayer.apply(event);
  return replayer.state;
}

interface Copied {
  readonly events: number;
  readonly lastSeq: number;
}

/** Appends batch after batch, keeping the seqs; returns what was written. */
async function appendAll(
  store: EventStore,
  events: AsyncIterable<StoredEvent>,
  batchSize: number,
): Promise<Copied> {
  let lastSeq = 0;
  let count = 0;
  let batch: StoredEvent[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    await store.append(batch, { expectedSeq: lastSeq });
    lastSeq = batch[batch.length - 1]?.seq ?? lastSeq;
    count += batch.length;
    batch = [];
  };
  for await (const event of events) {
    batch.push(event);
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  return { events: count, lastSeq };
}

async function writeFile(
  path: string,
  events: AsyncIterable<StoredEvent>,
  batchSize: number,
): Promise<Copied> {
  const size = await stat(path).then(
    (stats) => stats.size,
    (error: unknown) => {
      if (codeOf(error) === 'ENOENT') return undefined;
      throw error;
    },
  );
  if (size !== undefined && size > 0) throw new CopyTargetNotEmptyError(path);
  const store = await openFileStore(path);
  try {
    const copied = await appendAll(store, events, batchSize);
    await store.close();
    return copied;
  } catch (error) {
    await store.close().catch(() => undefined);
    // Leave the target as it was: missing, or empty.
    await (size === undefined ? unlink(path) : truncate(path, 0)).catch(() => undefined);
    throw error;
  }
}

async function writePg(
  side: Extract<Side, { kind: 'pg' }>,
  events: AsyncIterable<StoredEvent>,
  batchSize: number,
  payload: PayloadColumn | undefined,
): Promise<Copied> {
  await migrate(side.client, {
    table: side.table,
    ...(payload === undefined ? {} : { payload }),
  });
  const connection = await side.client.connect();
  let broken = false;
  let copied: Copied | undefined;
  try {
    await connection.query('BEGIN');
    const store = createPgStore({
      client: onConnection(side.client.kind, connection),
      sessionId: side.sessionId,
      table: side.table,
      // Inside a transaction nothing is committed before COMMIT: a lost connection lost it all.
      settleTimeoutMs: 0,
    });
    if ((await store.lastSeq()) !== 0) throw new CopyTargetNotEmptyError(side.display);
    const written = await appendAll(store, events, batchSize);
    copied = written;
    await connection.query('COMMIT');
    return written;
  } catch (error) {
    if (copied !== undefined && hasCode(error, 'PG_CONNECTION_LOST')) {
      // The COMMIT's outcome is unknown: wait until it can no longer happen, then look.
      broken = true;
      await connection.fence();
      const stored = await createPgStore({
        client: side.client,
        sessionId: side.sessionId,
        table: side.table,
      }).lastSeq();
      if (stored === copied.lastSeq) return copied;
      if (stored !== 0) {
        throw new ConcurrencyError(
          copied.lastSeq,
          stored,
          `${side.display}: the connection was lost during COMMIT and the session now ends at seq ${stored}: check it before copying again`,
        );
      }
      throw error;
    }
    await connection.query('ROLLBACK').catch(() => {
      broken = true;
    });
    throw error;
  } finally {
    connection.release(broken);
  }
}

/** A client whose every statement runs on one connection (inside its transaction). */
function onConnection(kind: string, connection: PgConnection): PgClient {
  return {
    kind,
    query: (sql, params) => connection.query(sql, params),
    connect: async () => ({
      query: (sql, params) => connection.query(sql, params),
      release: () => {},
      fence: () => connection.fence(),
    }),
    listen: () => Promise.reject(new Error('no LISTEN inside a copy transaction')),
    end: async () => {},
  };
}
