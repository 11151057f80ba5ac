import type { DialectOptions } from '@contextlog/core';
import { defaultFileSystem, type FileSystem, realPathOf } from '../fs/file-system.js';
import { readSessionFile } from '../read/read-session-file.js';
import type { SessionFormat } from '../read/session-format.js';
import type { ReadProgress } from '../read/types.js';
import { openStore } from '../store/file-store.js';
import { dialectsOf, publishSession, sessionText, snapshotEvent } from './publish.js';

/** `dialects`, `estimators`: those of the session besides kimi-cli's (a snapshot needs its dialect). */
export interface SnapshotOptions extends DialectOptions {
  readonly fs?: FileSystem;
  /** Formats to recognize a file by, so one of another format is refused by name (as `openFileStore`). */
  readonly formats?: readonly SessionFormat[];
  /** Called as the session is read for its state (for a progress bar). */
  readonly onProgress?: (progress: ReadProgress) => void;
}

export interface SnapshotResult {
  /** Seq of the snapshot: the next event appended will be `seq + 1`. */
  readonly seq: number;
  readonly bytesBefore: number;
  readonly bytesAfter: number;
  /** Where the torn tail of an unfinished write was kept, when the file had one. */
  readonly tornTailPath?: string;
}

/**
 * Rewrites a session as its header + one `state.snapshotted` at the session's last seq, so it
 * replays to the same state (checkpoint marks included, so `revertTo` still works) and the next
 * event continues the numbering. Takes the writer lock (a live writer makes it reject with
 * `SessionLockedError`), repairs a torn tail first as opening does, and replaces the file
 * atomically (the real file, when `path` is a symlink: the link stays a link). An empty session is
 * left as it is; a path with no file is refused with `SessionNotFoundError` (nothing is created).
 */
export async function snapshotSessionFile(
  path: string,
  options: SnapshotOptions = {},
): Promise<SnapshotResult> {
  const fs = options.fs ?? defaultFileSystem;
  // An empty file is an empty session (perhaps of another format): there is nothing to snapshot, and
  // opening a store on it would write a header into it.
  const size = await fs
    .stat(path)
    .then((stats) => (stats.isFile?.() === false ? undefined : stats.size))
    .catch(() => undefined);
  if (size === 0) return { seq: 0, bytesBefore: 0, bytesAfter: 0 };
  const formats = options.formats === undefined ? {} : { formats: options.formats };
  const store = await openStore(path, { fs, ...formats, eager: true, mustExist: true });
  try {
    // Renaming over a symlink would replace the link, not the session it names.
    const real = await realPathOf(fs, path);
    const read = await readSessionFile(real, {
      format: 'contextlog',
      fs,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...dialectsOf(options),
    });
    const seq = read.state.seq;
    const bytesBefore = read.counts.bytes;
    const torn = store.tornTailPath === undefined ? {} : { tornTailPath: store.tornTailPath };
    if (seq === 0) return { seq, bytesBefore, bytesAfter: bytesBefore, ...torn };
    const snapshot = snapshotEvent(seq, new Date().toISOString(), read.state);
    const createdAt = new Date(read.header?.createdAt ?? Date.now());
    const bytes = sessionText(path, Number.isNaN(createdAt.getTime()) ? new Date() : createdAt, [
      snapshot,
    ]);
    await publishSession(fs, real, {
      bytes,
      expected: read.state,
      replace: true,
      dialects: dialectsOf(options),
    });
    return { seq, bytesBefore, bytesAfter: bytes.length, ...torn };
  } finally {
    await store.close();
  }
}
