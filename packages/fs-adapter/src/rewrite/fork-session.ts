import { resolve } from 'node:path';
import type { ContextState, DialectOptions, StoredEvent } from '@contextlog/core';
import { foldEvents } from '@contextlog/core/store';
import { defaultFileSystem, type FileSystem, realPathOf } from '../fs/file-system.js';
import { acquireLock } from '../lock/session-lock.js';
import { checkOutPath } from '../publish/out-path.js';
import { readSessionFile } from '../read/read-session-file.js';
import type { SessionFormat } from '../read/session-format.js';
import type { ReadMode, ReadProgress } from '../read/types.js';
import { dialectsOf, publishSession, sessionText, snapshotEvent } from './publish.js';

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
  /** Called as the source is read (for a progress bar). */
  readonly onProgress?: (progress: ReadProgress) => void;
}

export interface ForkResult {
  readonly target: string;
  /** The state of the new session. */
  readonly state: ContextState;
}

/**
 * Starts a new session at `target` from the state of `source` (a file of one of `formats`):
 * seq 1 is a `state.snapshotted` of that state (reverted to `atCheckpoint` if given), seq 2 a
 * `metadata.set` of `forkedFrom` = { path, seq, checkpoint }. The source is only read. An existing
 * target is refused with `TargetExistsError` unless `force`; a target that is no regular file (a
 * directory or a name ending in `/`, a device, a FIFO) with `NotAFileError` even with `force`,
 * before anything is read.
 */
export async function forkSession(
  source: string,
  target: string,
  options: ForkOptions = {},
): Promise<ForkResult> {
  const fs = options.fs ?? defaultFileSystem;
  await checkOutPath(fs, target, { force: options.force === true });
  const read = await readSessionFile(source, {
    fs,
    ...(options.mode ? { mode: options.mode } : {}),
    ...(options.formats ? { formats: options.formats } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...dialectsOf(options),
  });
  const at = new Date().toISOString();
  let state = read.state;
  if (options.atCheckpoint !== undefined) {
    state = foldEvents(
      [
        {
          seq: state.seq + 1,
          v: 1,
          at,
          type: 'context.reverted',
          data: { checkpointId: options.atCheckpoint },
        },
      ],
      state,
      options,
    );
  }
  const events: StoredEvent[] = [
    snapshotEvent(1, at, state),
    {
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
    },
  ];
  const expected = foldEvents(events, state, options);
  const bytes = sessionText(target, new Date(at), events);
  // The lock is the real file's: publish there too (renaming over a symlink would replace the
  // link, not the session the lock protects).
  const real = await realPathOf(fs, target);
  const lock = await acquireLock(fs, real);
  try {
    // Again under the lock: reading a large source leaves time for a file to appear.
    await checkOutPath(fs, target, { force: options.force === true });
    const stateAfter = await publishSession(fs, real, {
      bytes,
      expected,
      replace: options.force === true,
      dialects: dialectsOf(options),
    });
    return { target, state: stateAfter };
  } finally {
    await lock.release();
  }
}
