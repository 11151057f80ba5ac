import { basename, extname } from 'node:path';
import { ValidationError } from '@contextlog/core';
import type { PgClient } from '@contextlog/pg-adapter';

/** A session in PostgreSQL reached through a client the caller already has (PGlite, a pool). */
export interface PgSessionLocation {
  readonly client: PgClient;
  readonly sessionId: string;
  readonly table?: string;
}

/**
 * Where `copySession` (`contextlog copy`) reads or writes a session: a contextlog file path, a
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
  /** The URL with its passwords hidden (user info and query), for messages. */
  readonly display: string;
}

/**
 * Query parameters that may carry a secret. node-postgres passes every parameter of the URL to
 * the connection (`?password=` is its password); the others are hidden too, whatever their case,
 * in case a driver or a later version reads them.
 */
const SECRET_PARAMETER = /password|passphrase|secret|token/i;

function decodedName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}

/**
 * Hides the value of every secret query parameter. The query runs to the end of the text: a `#`
 * in a password would otherwise leave its tail in view (the connection ignores fragments anyway).
 */
function redactQuery(text: string): string {
  const start = text.indexOf('?');
  if (start === -1) return text;
  const pairs = text
    .slice(start + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const name = equals === -1 ? pair : pair.slice(0, equals);
      return SECRET_PARAMETER.test(decodedName(name)) ? `${name}=***` : pair;
    });
  return `${text.slice(0, start + 1)}${pairs.join('&')}`;
}

/**
 * The text of a URL, valid or not, with its passwords replaced by `***`, for messages: the
 * password of its user info and every secret query parameter (`?password=`, which
 * node-postgres reads, and the like). Everything up to the last `@` counts as user info, so a
 * password holding an unencoded `@`, `/` or `?` is hidden whole (at worst more than the password
 * is hidden).
 */
export function redactPgUrl(location: string): string {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)(.*)@/is.exec(location);
  if (match === null) return redactQuery(location);
  const [whole, scheme, userInfo] = match as unknown as [string, string, string];
  const colon = userInfo.indexOf(':');
  if (colon === -1) return redactQuery(location);
  return `${scheme}${userInfo.slice(0, colon)}:***@${redactQuery(location.slice(whole.length))}`;
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
  if (sessionId !== undefined) url.searchParams.set('session', sessionId);
  if (table !== undefined) url.searchParams.set('table', table);
  return { connectionString, sessionId, table, display: redactPgUrl(url.toString()) };
}

/** A file's name without its extension: the default session id of a file copied to PostgreSQL. */
export function sessionIdOfPath(path: string): string {
  const name = basename(path);
  const extension = extname(name);
  return extension === '' ? name : name.slice(0, -extension.length);
}
