import { basename, extname } from 'node:path';
import { ValidationError } from '@contextlog/core';
import type { PgClient } from '../client/types.js';

/** A session in PostgreSQL reached through a client the caller already has (PGlite, a pool). */
export interface PgSessionLocation {
  readonly client: PgClient;
  readonly sessionId: string;
  readonly table?: string;
}

/**
 * Where `copySession` reads or writes a session: a contextlog file path, a
 * `postgres://user@host:port/db?session=ID&table=T` URL (`postgresql://` too; `session` and
 * `table` are ours, every other parameter goes to the connection), or a `PgSessionLocation`.
 */
export type SessionLocation = string | PgSessionLocation;

export function isPgUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

export interface ParsedPgUrl {
  /** The URL without our parameters, for the connection. */
  readonly connectionString: string;
  readonly sessionId: string | undefined;
  readonly table: string | undefined;
  /** The URL with its password hidden, for messages. */
  readonly display: string;
}

export function parsePgUrl(location: string): ParsedPgUrl {
  let url: URL;
  try {
    url = new URL(location);
  } catch (error) {
    throw new ValidationError(`${location}: not a valid URL`, 'url', { cause: error });
  }
  const sessionId = url.searchParams.get('session') ?? undefined;
  const table = url.searchParams.get('table') ?? undefined;
  url.searchParams.delete('session');
  url.searchParams.delete('table');
  const connectionString = url.toString();
  if (url.password !== '') url.password = '***';
  if (sessionId !== undefined) url.searchParams.set('session', sessionId);
  if (table !== undefined) url.searchParams.set('table', table);
  return { connectionString, sessionId, table, display: url.toString() };
}

/** A file's name without its extension: the default session id of a file copied to PostgreSQL. */
export function sessionIdOfPath(path: string): string {
  const name = basename(path);
  const extension = extname(name);
  return extension === '' ? name : name.slice(0, -extension.length);
}
