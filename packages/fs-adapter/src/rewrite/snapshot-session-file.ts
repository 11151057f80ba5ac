import type { DialectOptions } from '@contextlog/core';
import { defaultFileSystem, type FileSystem, realPathOf } from '../fs/file-system.js';
import { readSessionFile } from '../read/read-session-file.js';
import type { SessionFormat } from '../read/session-format.js';
import type { ReadProgress } from '../read/types.js';
import { openStore } from '../store/file-store.js';
import { dialectsOf, publishSession } from './publish.js';
import { writeSessionTemporary } from './session-writer.js';

/** `dialects`, `estimators`: those of the session besides kimi-cli's (a snapshot needs its dialect). */
export interface SnapshotOptions extends DialectOptions {
  readonly fs?: FileSystem;
  /** Formats to recognize a file by, so one of another format is refused by name (as `openFileStore`). */
  readonly formats?: readonly SessionFormat[];
  /**
   * Called as the session is read for its state, written and read back (for a progress bar):
   * `phase` says which; `bytesRead`/`totalBytes` count bytes when reading, messages when writing.
   */
  readonly onProgress?: (progress: RewriteProgress) => void;
  /**
   * Characters of JSON per snapshot line: a state over it is split in parts of it (default: one
   * line up to ~1 MiB, parts of 64 KiB past that; see `snapshotParts`). For tests of many lines.
   */
  readonly maxPartChars?: number;
}

/** How far a rewrite (snapshot, fork) is: reading the source, writing, reading the result back. */
export interface RewriteProgress extends ReadProgress {
  readonly phase: 'read' | 'write' | 'check';
}

export interface SnapshotResult {
  /** Seq of the snapshot: the next event appended will be `seq + 1`. */
  readonly seq: number;
  readonly bytesBefore: number;
  readonly bytesAfter: number;
  /** Lines the snapshot takes (one unless the state is larger than a line's part). */
  readonly snapshotLines: number;
  /** Where the torn tail of an unfinished write was kept, when the file had one. */
  readonly tornTailPath?: string;
}

/**
 * Rewrites a session as its header + one `state.snapshotted` at the session's last seq, so it
 * replays to the same state (checkpoint marks included, so `revertTo` still works) and the next
 * event continues the numbering. A large state is written as several lines, the parts of that one
 * event, streamed: memory holds the state and a part, never the file. Takes the writer lock (a
 * live writer makes it reject with `SessionLockedError`), sets a torn tail aside as opening does,
 * and replaces the file atomically (the real file, when `path` is a symlink: the link stays a
 * link). An empty session is left as it is; a path with no file is refused with
 * `SessionNotFoundError` (nothing is created).
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
  if (size === 0) return { seq: 0, bytesBefore: 0, bytesAfter: 0, snapshotLines: 0 };
  const formats = options.formats === undefined ? {} : { formats: options.formats };
  // Opened without its validating pass: the one read below is the only one (the store's own
  // pass runs only to set a torn tail aside).
  const store = await openStore(path, { fs, ...formats, eager: false, mustExist: true });
  const progress = options.onProgress;
  try {
    // Renaming over a symlink would replace the link, not the session it names.
    const real = await realPathOf(fs, path);
    // In a function of its own, so that the state read is garbage once written.
    const written = await (async () => {
      const read = await readSessionFile(real, {
        format: 'contextlog',
        fs,
        ...(progress ? { onProgress: (p: ReadProgress) => progress({ ...p, phase: 'read' }) } : {}),
        ...dialectsOf(options),
      });
      if (read.tornTail !== undefined) await store.validate();
      const { seq } = read.state;
      const bytesBefore = read.counts.bytes;
      if (seq === 0) return { seq, bytesBefore, file: undefined };
      const createdAt = new Date(read.header?.createdAt ?? Date.now());
      const file = await writeSessionTemporary(fs, real, {
        createdAt: Number.isNaN(createdAt.getTime()) ? new Date() : createdAt,
        at: new Date().toISOString(),
        seq,
        state: read.state,
        ...(options.maxPartChars === undefined ? {} : { maxPartChars: options.maxPartChars }),
        ...(progress
          ? {
              onProgress: (done: number, total: number) =>
                progress({ phase: 'write', bytesRead: done, totalBytes: total }),
            }
          : {}),
      });
      return { seq, bytesBefore, file };
    })();
    const torn = store.tornTailPath === undefined ? {} : { tornTailPath: store.tornTailPath };
    const { seq, bytesBefore, file } = written;
    if (file === undefined) {
      return { seq, bytesBefore, bytesAfter: bytesBefore, snapshotLines: 0, ...torn };
    }
    await publishSession(fs, real, file, {
      replace: true,
      dialects: dialectsOf(options),
      ...(progress ? { onProgress: (p: ReadProgress) => progress({ ...p, phase: 'check' }) } : {}),
    });
    return { seq, bytesBefore, bytesAfter: file.bytes, snapshotLines: file.parts, ...torn };
  } finally {
    await store.close();
  }
}
