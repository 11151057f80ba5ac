import { resolve } from 'node:path';
import type { ContextState, DialectOptions, StoredEvent } from '@contextlog/core';
import { foldEvents } from '@contextlog/core/store';
import { defaultFileSystem, type FileSystem, realPathOf } from '../fs/file-system.js';
import { acquireLock } from '../lock/session-lock.js';
import { checkOutPath } from '../publish/out-path.js';
import { readSessionFile } from '../read/read-session-file.js';
import type { SessionFormat } from '../read/session-format.js';
import type { ReadMode, ReadProgress } from '../read/types.js';
import { dialectsOf, publishSession } from './publish.js';
import { writeSessionTemporary } from './session-writer.js';
import type { RewriteProgress } from './snapshot-session-file.js';

/** `dialects`, `estimators`: those of the source besides kimi-cli's (a snapshot needs its dialect). */
export interface ForkOptions extends DialectOptions {
  /** Fork the state as it was at this checkpoint (as `revertTo` would leave it). */
  readonly atCheckpoint?: number;
  /** Replace an existing target (never one a live writer holds). */
  readonly force?: boolean;
  /** How to read the source (strict by default). */
  readonly mode?: ReadMode;
  /** The formats the source may be in (default: contextlog only), as `readSessionFile` takes them. */
  readonly formats?: readonly SessionFormat[];
  readonly fs?: FileSystem;
  /** Called as the source is read, the fork written and read back (for a progress bar). */
  readonly onProgress?: (progress: RewriteProgress) => void;
  /**
   * Characters of JSON per snapshot line: a state over it is split in parts of it (default: one
   * line up to ~1 MiB, parts of 64 KiB past that; see `snapshotParts`). For tests of many lines.
   */
  readonly maxPartChars?: number;
}

export interface ForkResult {
  readonly target: string;
  /** The state of the new session. */
  readonly state: ContextState;
}

/**
 * Starts a new session at `target` from the state of `source` (a file of one of `formats`):
 * seq 1 is a `state.snapshotted` of that state (reverted to `atCheckpoint` if given; several lines
 * for a large state), seq 2 a `metadata.set` of `forkedFrom` = { path, seq, checkpoint }. Streamed:
 * memory holds the state and one line. The source is only read. An existing target is refused
 * with `TargetExistsError` unless `force`; a target that is no regular file (a directory or a
 * name ending in `/`, a device, a FIFO) with `NotAFileError` even with `force`, before anything
 * is read.
 */
export async function forkSession(
  source: string,
  target: string,
  options: ForkOptions = {},
): Promise<ForkResult> {
  const fs = options.fs ?? defaultFileSystem;
  const force = options.force === true;
  const progress = options.onProgress;
  await checkOutPath(fs, target, { force });
  // The lock is the real file's: publish there too (renaming over a symlink would replace the
  // link, not the session the lock protects).
  const real = await realPathOf(fs, target);
  const written = await (async () => {
    const read = await readSessionFile(source, {
      fs,
      ...(options.mode ? { mode: options.mode } : {}),
      ...(options.formats ? { formats: options.formats } : {}),
      ...(progress ? { onProgress: (p: ReadProgress) => progress({ ...p, phase: 'read' }) } : {}),
      ...dialectsOf(options),
    });
    const at = new Date().toISOString();
    let state = read.state;
    if (options.atCheckpoint !== undefined) {
      const revert: StoredEvent = {
        seq: state.seq + 1,
        v: 1,
        at,
        type: 'context.reverted',
        data: { checkpointId: options.atCheckpoint },
      };
      state = foldEvents([revert], state, options);
    }
    const forkedFrom: StoredEvent = {
      seq: 2,
      v: 1,
      at,
      type: 'metadata.set',
      data: {
        key: 'forkedFrom',
        value: {
          path: resolve(source),
          seq: read.state.seq,
          checkpoint: options.atCheckpoint ?? null,
        },
      },
    };
    const file = await writeSessionTemporary(fs, real, {
      createdAt: new Date(at),
      at,
      seq: 1,
      state,
      after: [forkedFrom],
      ...(options.maxPartChars === undefined ? {} : { maxPartChars: options.maxPartChars }),
      ...(progress
        ? {
            onProgress: (done: number, total: number) =>
              progress({ phase: 'write', bytesRead: done, totalBytes: total }),
          }
        : {}),
    });
    // The state the fork replays to: the snapshot (the state, at seq 1), then its `forkedFrom`;
    // the fold takes seq 2 from that event.
    return { file, state: foldEvents([forkedFrom], state, options) };
  })();
  const lock = await acquireLock(fs, real).catch(async (error: unknown) => {
    await fs.unlink(written.file.path).catch(() => undefined);
    throw error;
  });
  try {
    // Again under the lock: reading a large source leaves time for a file to appear.
    await checkOutPath(fs, target, { force }).catch(async (error: unknown) => {
      await fs.unlink(written.file.path).catch(() => undefined);
      throw error;
    });
    await publishSession(fs, real, written.file, {
      replace: force,
      dialects: dialectsOf(options),
      ...(progress ? { onProgress: (p: ReadProgress) => progress({ ...p, phase: 'check' }) } : {}),
    });
    return { target, state: written.state };
  } finally {
    await lock.release();
  }
}
