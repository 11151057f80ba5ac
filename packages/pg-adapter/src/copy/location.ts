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

/**
 * The text of a URL, valid or not, with the password of its user info replaced by `***`, for
 * messages. Everything up to the last `@` counts as user info, so a password holding an unencoded
 * `@`, `/` or `?` is hidden whole (at worst more than the password is hidden).
 */
export function redactPgUrl(location: string): string {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)(.*)@/is.exec(location);
  if (match === null) return location;
  const [whole, scheme, userInfo] = match as unknown as [string, string, string];
  const colon = userInfo.indexOf(':');
  if (colon === -1) return location;
  return `${scheme}${userInfo.slice(0, colon)}:***@${location.slice(whole.length)}`;
}

export function parsePgUrl(location: string): ParsedPgUrl {
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    // No cause: URL's error carries the whole input, password included.
    throw new ValidationError(`${redactPgUrl(location)}: not a valid URL`, 'url');
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
