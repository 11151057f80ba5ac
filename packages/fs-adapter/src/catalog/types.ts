import type { DialectOptions, DialectRef } from '@contextlog/core';
import type { FileSystem } from '../fs/file-system.js';
import type { LockOptions } from '../lock/session-lock.js';
import type { SessionFormat, SessionFormatName } from '../read/session-format.js';

/** One session file as a catalog lists it. */
export interface FileSessionInfo {
  /** The file's name without `.jsonl`: the session id `contextlog copy` gives it. */
  readonly name: string;
  readonly path: string;
  readonly bytes: number;
  /** The file's modification time (ISO 8601): its last append or rewrite. */
  readonly changedAt: string;
  /**
   * `'contextlog'`, or the name of another of the formats given; absent when no format claims the
   * file (then `problem` says why).
   */
  readonly format?: SessionFormatName;
  /** A contextlog header's `createdAt`. */
  readonly createdAt?: string;
  /**
   * The session's dialect and estimator: known from the header alone for a kimi-cli-shaped
   * session (header version 1) and, for another, when the line after it declares them; always
   * after a counting read.
   */
  readonly dialect?: DialectRef;
  readonly estimator?: string;
  /** The messages the session holds, from a counting read (`counts`, or `inspectFileSession`). */
  readonly messages?: number;
  /** Its last seq, from a counting read. */
  readonly seq?: number;
  /** A live process holding the session's writer lock. */
  readonly writer?: { readonly pid: number; readonly host: string };
  /**
   * Why the file cannot be read as a session (no known format, a broken header, a corrupt line
   * found by a counting read): the fields before it say what could be read.
   */
  readonly problem?: string;
  /** What a counting read noticed without failing (a torn tail, a dialect it does not know). */
  readonly warnings?: readonly string[];
}

export interface CatalogProgress {
  /** `*.jsonl` files looked at so far, of `totalFiles`. */
  readonly filesDone: number;
  readonly totalFiles: number;
  /** Bytes read by counting reads so far, of `totalBytes` (the files' sizes; 0 without counts). */
  readonly bytesRead: number;
  readonly totalBytes: number;
}

/** `dialects`, `estimators`: those the counting reads validate messages with (kimi-cli's always). */
export interface InspectFileOptions extends DialectOptions {
  /**
   * Formats besides contextlog that files are recognized by, asked in this order (pass
   * `kimiFormat` from `@contextlog/kimi` to tell kimi-cli files apart from broken ones).
   */
  readonly formats?: readonly SessionFormat[];
  readonly fs?: FileSystem;
}

export interface ListFileSessionsOptions extends InspectFileOptions {
  /**
   * Read each session to count its messages and find its last seq and dialect (a streaming read
   * of every file, memory bounded by the longest line). Default false: only the header is read.
   */
  readonly counts?: boolean;
  /** List the files of the other `formats` too (default false: they are in `skipped`). */
  readonly includeOtherFormats?: boolean;
  /** Called after each file (and each chunk of a counting read). */
  readonly onProgress?: (progress: CatalogProgress) => void;
}

export interface FileSessionList {
  readonly dir: string;
  /** Sessions (and `.jsonl` files no format claims, with their `problem`), by name. */
  readonly sessions: readonly FileSessionInfo[];
  /** Files of another of `formats`, left out unless `includeOtherFormats`. */
  readonly skipped: readonly { readonly path: string; readonly format: SessionFormatName }[];
}

export interface DeleteFileOptions {
  /** Formats besides contextlog, so that a refusal names the format of a file it is not deleting. */
  readonly formats?: readonly SessionFormat[];
  readonly fs?: FileSystem;
  /** `{ waitMs }`: wait that long for the session's live writer to close it (default: refuse at once). */
  readonly lock?: LockOptions;
}

export interface DeleteFileResult {
  readonly path: string;
  /** The size of the file deleted. */
  readonly bytes: number;
  /** Leftovers of the session's dead writers removed with it (temporary files, lock claims). */
  readonly removed: readonly string[];
  /**
   * Torn tails an earlier open kept aside (`<file>.torn-<offset>`): not deleted, since they hold
   * the only copy of bytes a crashed writer never acknowledged.
   */
  readonly keptAside: readonly string[];
}
