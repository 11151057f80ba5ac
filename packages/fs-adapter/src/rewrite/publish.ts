import { constants as bufferConstants } from 'node:buffer';
import {
  type ContextState,
  type DialectOptions,
  type StoredEvent,
  stateToJson,
} from '@contextlog/core';
import {
  checkJsonData,
  createEventParser,
  STORED_EVENT_MAX_DEPTH,
  snapshotStateOf,
} from '@contextlog/core/store';
import { RewriteCheckError, StateTooLargeError } from '../errors.js';
import { headerLine, headerVersionFor } from '../format/header.js';
import type { FileSystem } from '../fs/file-system.js';
import { publishFile, removeQuietly, writeTemporary } from '../publish/publish-file.js';
import { readSessionFile } from '../read/read-session-file.js';
import { encodeLines } from '../store/encode-lines.js';

/**
 * A `state.snapshotted` of `state` at `seq`. A value JSON could not give back (a number too large
 * for a double, read from another writer's line as Infinity) is refused with its path instead of
 * being written as null.
 */
export function snapshotEvent(seq: number, at: string, state: ContextState): StoredEvent {
  checkJsonData({ ...state }, ['state'], STORED_EVENT_MAX_DEPTH);
  return {
    seq,
    v: 1,
    at,
    type: 'state.snapshotted',
    data: { state: snapshotStateOf(state) },
  } as StoredEvent;
}

/** Only the dialect options of `options`, for passing on. */
export function dialectsOf(options: DialectOptions): DialectOptions {
  return {
    ...(options.dialects === undefined ? {} : { dialects: options.dialects }),
    ...(options.estimators === undefined ? {} : { estimators: options.estimators }),
  };
}

/**
 * A whole session file for `path`: its header, then each event (validated) as the file store
 * writes it. A snapshot whose line would be longer than the longest JavaScript string (~512 MiB)
 * cannot be built: `StateTooLargeError` says so, with the length it would have.
 */
export function sessionText(path: string, createdAt: Date, events: readonly StoredEvent[]): Buffer {
  const parser = createEventParser();
  const parsed = events.map((event) => parser.parse(event));
  let lines: Buffer;
  try {
    lines = encodeLines(parsed);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    const longest = Math.max(...parsed.map(jsonLength));
    throw new StateTooLargeError(path, longest, bufferConstants.MAX_STRING_LENGTH);
  }
  const version = headerVersionFor(parser.kind);
  return Buffer.concat([Buffer.from(headerLine(createdAt, version), 'utf8'), lines]);
}

/**
 * The length `JSON.stringify(value)` has, measured piece by piece where the whole is too long to
 * build (only then: this is the error path). JSON data only, as a stored event holds.
 */
function jsonLength(value: unknown): number {
  try {
    return JSON.stringify(value)?.length ?? 0;
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
  }
  if (Array.isArray(value)) {
    let length = 1 + Math.max(value.length, 1); // brackets and commas
    for (const item of value) length += item === undefined ? 4 : jsonLength(item);
    return length;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    let length = 1 + Math.max(entries.length, 1); // braces, commas and colons below
    for (const [key, item] of entries) length += JSON.stringify(key).length + 1 + jsonLength(item);
    return length;
  }
  // A string too long once escaped: at least itself and its quotes.
  return typeof value === 'string' ? value.length + 2 : 0;
}

/** What `publishSession` puts in place. */
export interface SessionContent {
  /** The whole file: header and events (`sessionText`). */
  readonly bytes: Buffer;
  /** The state the file must replay to. */
  readonly expected: ContextState;
  /** Rename over an existing `target` (otherwise it is hard-linked, refused if `target` exists). */
  readonly replace: boolean;
  /** The session's dialect, for reading the file back as `expected` was read. */
  readonly dialects?: DialectOptions;
}

/**
 * Puts a whole new session file at `target` atomically, under `target`'s writer lock, which the
 * caller holds: written and fsynced under a temporary name in the same directory, read back and
 * checked to replay to `expected` (`RewriteCheckError` otherwise), then renamed into place (or
 * hard-linked, when an existing file must not be replaced) and the directory fsynced. A crash at
 * any point leaves either the old file or the new one, never a mix (and perhaps the temporary
 * file, which a later run removes: see `removeDeadTemporaries`).
 */
export async function publishSession(
  fs: FileSystem,
  target: string,
  { bytes, expected, replace, dialects = {} }: SessionContent,
): Promise<ContextState> {
  const temp = await writeTemporary(fs, target, bytes);
  let state: ContextState;
  try {
    const check = await readSessionFile(temp, { format: 'contextlog', fs, ...dialects });
    const want = JSON.stringify(stateToJson(expected));
    if (JSON.stringify(stateToJson(check.state)) !== want) throw new RewriteCheckError(target);
    state = check.state;
  } catch (error) {
    await removeQuietly(fs, temp);
    throw error;
  }
  await publishFile(fs, temp, target, { replace, locked: true });
  return state;
}
