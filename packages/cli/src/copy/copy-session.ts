import { stat, truncate, unlink } from 'node:fs/promises';
import {
  type ContextState,
  type CopyEventsOptions,
  type CopyEventsResult,
  CopyTargetNotEmptyError,
  codeOf,
  copyEvents,
  type EventSource,
  hasCode,
  ValidationError,
} from '@contextlog/core';
import { openFileStore, readSessionEvents } from '@contextlog/fs-adapter';
import {
  CopySourceEmptyError,
  createPgClient,
  DEFAULT_TABLE,
  migrate,
  openPgStore,
  type PayloadColumn,
  type PgClient,
  type PgEventStore,
} from '@contextlog/pg-adapter';
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
  /**
   * Called as the source is read (for a progress bar): bytes of a file source, events (by seq) of
   * a PostgreSQL one; `unit` says which.
   */
  readonly onProgress?: (progress: CopyProgress) => void;
}

export interface CopyProgress {
  readonly unit: 'bytes' | 'events';
  readonly done: number;
  readonly total: number;
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

type PgSide = {
  readonly kind: 'pg';
  readonly client: PgClient;
  readonly sessionId: string;
  readonly table: string;
  readonly display: string;
  readonly owned: boolean;
};

type Side = { readonly kind: 'file'; readonly path: string; readonly display: string } | PgSide;

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

const storeOf = (side: PgSide): Promise<PgEventStore> =>
  openPgStore({ client: side.client, sessionId: side.sessionId, table: side.table });

/**
 * Copies a session between a contextlog file and PostgreSQL (either way; file to file and
 * PostgreSQL to PostgreSQL work too): opens both sides and runs core's `copyEvents`, which keeps
 * the seq numbers and checks afterwards that the target replays to the source's state (a
 * PostgreSQL target, by digests of its rows before it commits: see its `importEvents`). The
 * target must be empty (a missing or empty file, a session without events); the table is created
 * if missing. A PostgreSQL source must have events (`CopySourceEmptyError` otherwise, nothing
 * created). A PostgreSQL target is written in one transaction, a file target under the file's
 * writer lock and removed again if the copy fails (both through their store's `importEvents`).
 */
export async function copySession(
  source: SessionLocation,
  target: SessionLocation,
  options: CopySessionOptions = {},
): Promise<CopySessionResult> {
  const from = resolve(source, target, options);
  let to: Side | undefined;
  try {
    to = resolve(target, source, options);
    const lastSeq = from.kind === 'pg' ? await checkSourceHasEvents(from) : 0;
    const progress = options.onProgress;
    const reader: EventSource =
      from.kind === 'file'
        ? {
            load: () =>
              readSessionEvents(from.path, {
                ...(progress === undefined
                  ? {}
                  : {
                      onProgress: ({ bytesRead, totalBytes }) =>
                        progress({ unit: 'bytes', done: bytesRead, total: totalBytes }),
                    }),
              }),
          }
        : withEventProgress(await storeOf(from), lastSeq, progress);
    const copy: CopyEventsOptions = {
      ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
      sourceName: from.display,
      targetName: to.display,
    };
    const copied =
      to.kind === 'file'
        ? await copyToFile(reader, to.path, copy)
        : await copyToPg(reader, to, copy, options.payload);
    return { source: from.display, target: to.display, ...copied };
  } finally {
    if (from.kind === 'pg' && from.owned) await from.client.end();
    if (to?.kind === 'pg' && to.owned) await to.client.end();
  }
}

/** A PostgreSQL source whose reading reports the seq reached, every thousand events. */
function withEventProgress(
  source: EventSource,
  lastSeq: number,
  progress: ((progress: CopyProgress) => void) | undefined,
): EventSource {
  if (progress === undefined) return source;
  return {
    async *load() {
      let n = 0;
      for await (const event of source.load()) {
        if (++n % 1000 === 0) progress({ unit: 'events', done: event.seq, total: lastSeq });
        yield event;
      }
      progress({ unit: 'events', done: lastSeq, total: lastSeq });
    },
  };
}

/**
 * Before anything is created: an empty PostgreSQL source is a mistake, not a session to copy.
 * Returns the source's last seq.
 */
async function checkSourceHasEvents(side: PgSide): Promise<number> {
  let last: number;
  try {
    last = await (await storeOf(side)).lastSeq();
  } catch (error) {
    if (hasCode(error, 'PG_TABLE_MISSING')) {
      throw new CopySourceEmptyError(side.sessionId, side.table, true, { cause: error });
    }
    throw error;
  }
  if (last === 0) throw new CopySourceEmptyError(side.sessionId, side.table);
  return last;
}

async function copyToFile(
  reader: EventSource,
  path: string,
  options: CopyEventsOptions,
): Promise<CopyEventsResult> {
  const size = await stat(path).then(
    (stats) => stats.size,
    (error: unknown) => {
      if (codeOf(error) === 'ENOENT') return undefined;
      throw error;
    },
  );
  // Not a session at all perhaps: refused before the store would read (or repair) it.
  if (size !== undefined && size > 0) throw new CopyTargetNotEmptyError(path);
  const store = await openFileStore(path);
  let copied: CopyEventsResult;
  try {
    copied = await copyEvents(reader, store, options);
  } catch (error) {
    await store.close().catch(() => undefined);
    // Leave the target as it was, missing or empty; but a target that another writer filled
    // after the check above is that writer's session, not this copy's to remove.
    if (!hasCode(error, 'COPY_TARGET_NOT_EMPTY')) {
      await (size === undefined ? unlink(path) : truncate(path, 0)).catch(() => undefined);
    }
    throw error;
  }
  // The copy is written and verified: a failure to close is reported, the copy is kept.
  await store.close();
  return copied;
}

async function copyToPg(
  reader: EventSource,
  side: PgSide,
  options: CopyEventsOptions,
  payload: PayloadColumn | undefined,
): Promise<CopyEventsResult> {
  await migrate(side.client, {
    table: side.table,
    ...(payload === undefined ? {} : { payload }),
  });
  return copyEvents(reader, await storeOf(side), options);
}
