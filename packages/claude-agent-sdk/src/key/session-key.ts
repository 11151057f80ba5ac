import { createHash } from 'node:crypto';
import { decodeName, encodeName } from '@contextlog/fs-adapter';
import { InvalidSessionKeyError } from '../errors.js';

/** The SDK's `SessionKey`, by shape (this module imports nothing of the SDK). */
export interface TranscriptKey {
  readonly projectKey: string;
  readonly sessionId: string;
  readonly subpath?: string;
}

/** Where a transcript lives: its project's folder, its session's name, its subpath's name. */
export interface KeyNames {
  readonly project: string;
  readonly session: string;
  /** Set for a subagent transcript (a key with `subpath`). */
  readonly subpath?: string;
}

/**
 * The name of a project key's folder (files) or session-id prefix (PostgreSQL): `encodeName`'s
 * when the key has one, else `__` and its SHA-256 in hex (a project key is never listed, only
 * asked for, so it need not decode: the SDK truncates long cwd keys to 200 characters plus a
 * hash, and one of uppercase letters or non-ASCII characters encodes past 200). `__` never
 * occurs in an encoded name, so the two kinds never meet.
 */
export function projectName(projectKey: string): string {
  if (typeof projectKey !== 'string') {
    throw new InvalidSessionKeyError('projectKey', projectKey, 'it is not a string');
  }
  const encoding = encodeName(projectKey);
  if ('name' in encoding) return encoding.name;
  if (/\p{Surrogate}/u.test(projectKey)) {
    // Hashing would accept it, but PostgreSQL text cannot hold it: refused like an id.
    throw new InvalidSessionKeyError('projectKey', projectKey, encoding.refused);
  }
  return `__${createHash('sha256').update(projectKey, 'utf8').digest('hex')}`;
}

/** A session id's or subpath's name, reversible (they are listed back). */
export function idName(field: 'sessionId' | 'subpath', id: string): string {
  if (typeof id !== 'string') throw new InvalidSessionKeyError(field, id, 'it is not a string');
  const encoding = encodeName(id);
  if ('refused' in encoding) throw new InvalidSessionKeyError(field, id, encoding.refused);
  return encoding.name;
}

export function keyNames(key: TranscriptKey): KeyNames {
  if (typeof key !== 'object' || key === null) {
    throw new InvalidSessionKeyError('projectKey', key, 'the key is not an object');
  }
  const project = projectName(key.projectKey);
  const session = idName('sessionId', key.sessionId);
  if (key.subpath === undefined) return { project, session };
  return { project, session, subpath: idName('subpath', key.subpath) };
}

/** The id a name gives back, or `undefined` for a name no id has (another file). */
export function idOfName(name: string): string | undefined {
  return decodeName(name);
}

/** How a transcript is named as a PostgreSQL session id: `project/session[/subpath]`. */
export function pgSessionIdOf(names: KeyNames): string {
  return names.subpath === undefined
    ? `${names.project}/${names.session}`
    : `${names.project}/${names.session}/${names.subpath}`;
}

/** Where the SDK's key is in an error message. */
export function describeKey(key: TranscriptKey): string {
  const sub = key.subpath === undefined ? '' : ` subpath ${JSON.stringify(key.subpath)}`;
  return `transcript ${JSON.stringify(key.projectKey)}/${JSON.stringify(key.sessionId)}${sub}`;
}
