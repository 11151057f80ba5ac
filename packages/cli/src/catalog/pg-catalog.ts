// Loaded only by `ls`, `rm` and `snapshot` on a postgres:// URL, so no other command loads a
// database driver.
import { type ContextlogError, hasCode, ValidationError } from '@contextlog/core';
import {
  createPgClient,
  DEFAULT_TABLE,
  type DeletePgResult,
  deletePgSession,
  inspectPgSession,
  listPgSessions,
  type PgClient,
  type PgSessionDetail,
  type PgSessionInfo,
  type SnapshotPgResult,
  snapshotPgSession,
} from '@contextlog/pg-adapter';
import { type PgSessionLocation, parsePgUrl } from '../copy/location.js';
import { DIALECTS } from '../dialects.js';
import { clip } from '../output/describe-message.js';
import { plural } from '../output/plural.js';
import { cellText, formatDialect, formatTime, renderTable } from './columns.js';

/** What `ls` and `rm` name: a URL (`?session=`, `?table=` as `copy` reads them), or a client. */
export type PgCatalogLocation =
  | string
  | (Omit<PgSessionLocation, 'sessionId'> & { sessionId?: string });

export interface PgCatalogOptions {
  /** The session when the location names none (`--session`). */
  readonly sessionId?: string;
  /** The table when the location names none (`--table`; default `contextlog_events`). */
  readonly table?: string;
}

interface Resolved {
  readonly client: PgClient;
  readonly table: string;
  readonly sessionId: string | undefined;
  /** The location as messages name it (passwords hidden). */
  readonly display: string;
  readonly owned: boolean;
}

function resolve(location: PgCatalogLocation, options: PgCatalogOptions): Resolved {
  if (typeof location !== 'string') {
    const table = location.table ?? options.table ?? DEFAULT_TABLE;
    return {
      client: location.client,
      table,
      sessionId: location.sessionId ?? options.sessionId,
      display: `a ${location.client.kind} client`,
      owned: false,
    };
  }
  const url = parsePgUrl(location);
  return {
    client: createPgClient(url.connectionString, { max: 2 }),
    table: url.table ?? options.table ?? DEFAULT_TABLE,
    sessionId: url.sessionId ?? options.sessionId,
    display: url.display,
    owned: true,
  };
}

async function using<T>(resolved: Resolved, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } finally {
    if (resolved.owned) await resolved.client.end();
  }
}

/** A listed session, and (counted) what its replay told, or why it could not be replayed. */
export type PgListedSession = PgSessionInfo &
  Partial<PgSessionDetail> & { readonly problem?: string };

export interface PgListing {
  readonly location: string;
  readonly table: string;
  readonly sessions: readonly PgListedSession[];
  readonly counted: boolean;
}

/** Errors of one session's events: the listing goes on without its count. */
function isSessionProblem(error: unknown): error is ContextlogError {
  return (
    hasCode(error, 'CORRUPT_SESSION') ||
    hasCode(error, 'UNKNOWN_EVENT') ||
    hasCode(error, 'PG_SESSION_NOT_FOUND')
  );
}

/**
 * The sessions of a table (`listPgSessions`: no event read); with `counts`, each also replayed
 * (`inspectPgSession`) for its message count and dialect. A location naming one session lists
 * that one, replayed.
 */
export async function listPg(
  location: PgCatalogLocation,
  options: PgCatalogOptions & {
    readonly counts: boolean;
    readonly onProgress?: (done: number, total: number) => void;
  },
): Promise<PgListing> {
  const resolved = resolve(location, options);
  const { client, table, sessionId } = resolved;
  return using(resolved, async () => {
    const inspect = (id: string) =>
      inspectPgSession({ client, table, sessionId: id, dialects: DIALECTS });
    if (sessionId !== undefined) {
      return {
        location: resolved.display,
        table,
        sessions: [await inspect(sessionId)],
        counted: true,
      };
    }
    const listed = await listPgSessions({ client, table });
    if (!options.counts) {
      return { location: resolved.display, table, sessions: listed, counted: false };
    }
    const sessions: PgListedSession[] = [];
    for (const session of listed) {
      try {
        sessions.push(await inspect(session.sessionId));
      } catch (error) {
        if (!isSessionProblem(error)) throw error;
        sessions.push({ ...session, problem: error.message });
      }
      options.onProgress?.(sessions.length, listed.length);
    }
    return { location: resolved.display, table, sessions, counted: true };
  });
}

/** `rm` on PostgreSQL: the session the location (or `--session`) names, deleted. */
export async function deletePg(
  location: PgCatalogLocation,
  options: PgCatalogOptions,
): Promise<DeletePgResult & { readonly location: string }> {
  const resolved = resolve(location, options);
  return using(resolved, async () => {
    if (resolved.sessionId === undefined) {
      throw new ValidationError(
        'session: name the session to delete, e.g. postgres://host/db?session=ID',
        'session',
      );
    }
    const result = await deletePgSession({
      client: resolved.client,
      table: resolved.table,
      sessionId: resolved.sessionId,
    });
    return { ...result, location: resolved.display };
  });
}

/** `snapshot` on PostgreSQL: the session the location (or `--session`) names, snapshotted. */
export async function snapshotPg(
  location: PgCatalogLocation,
  options: PgCatalogOptions & { readonly removeOlder: boolean },
): Promise<SnapshotPgResult & { readonly location: string }> {
  const resolved = resolve(location, options);
  return using(resolved, async () => {
    if (resolved.sessionId === undefined) {
      throw new ValidationError(
        'session: name the session to snapshot, e.g. postgres://host/db?session=ID',
        'session',
      );
    }
    const result = await snapshotPgSession({
      client: resolved.client,
      table: resolved.table,
      sessionId: resolved.sessionId,
      removeOlder: options.removeOlder,
      dialects: DIALECTS,
    });
    return { ...result, location: resolved.display };
  });
}

/** `ls`'s table of a PostgreSQL table's sessions, then a line of totals and hints. */
export function describePgListing(listing: PgListing): string[] {
  const { sessions, counted } = listing;
  if (sessions.length === 0)
    return [`no sessions in table ${listing.table} at ${listing.location}`];
  const header = counted
    ? ['SESSION', 'SEQ', 'MESSAGES', 'DIALECT', 'CHANGED', 'NOTE']
    : ['SESSION', 'SEQ', 'CHANGED'];
  const rows = sessions.map((session) => {
    const cells = [cellText(session.sessionId), String(session.seq)];
    if (!counted) return [...cells, formatTime(session.changedAt)];
    const notes = [
      ...(session.problem === undefined ? [] : [`error: ${clip(session.problem, 100)}`]),
      ...(session.warnings ?? []).slice(0, 1).map((warning) => `warning: ${clip(warning, 100)}`),
    ];
    return [
      ...cells,
      session.messages === undefined ? '-' : String(session.messages),
      formatDialect(session.dialect),
      formatTime(session.changedAt),
      notes.join('; '),
    ];
  });
  const lines = renderTable(header, rows, new Set(counted ? [1, 2] : [1]));
  lines.push('', `${plural(sessions.length, 'session')} in table ${listing.table}`);
  if (!counted) lines.push('message counts and dialects: --counts replays each session');
  return lines;
}
