import type { ContextState, DialectOptions } from '@contextlog/core';
import { RewriteCheckError } from '../errors.js';
import type { FileSystem } from '../fs/file-system.js';
import { publishFile, removeQuietly } from '../publish/publish-file.js';
import { readSessionFile } from '../read/read-session-file.js';
import type { ReadProgress } from '../read/types.js';
import { stateDigest, type WrittenSession } from './session-writer.js';

/** Only the dialect options of `options`, for passing on. */
export function dialectsOf(options: DialectOptions): DialectOptions {
  return {
    ...(options.dialects === undefined ? {} : { dialects: options.dialects }),
    ...(options.estimators === undefined ? {} : { estimators: options.estimators }),
  };
}

/** A session written beside its target (`writeSessionTemporary`), and what it must replay to. */
export interface WrittenContent extends WrittenSession {
  /** `stateDigest` of the state the file must replay to. */
  readonly expectedDigest: string;
}

export interface PublishOptions {
  /** Rename over an existing `target` (otherwise it is hard-linked, refused if `target` exists). */
  readonly replace: boolean;
  /** The session's dialect, for reading the file back as the state it holds was read. */
  readonly dialects?: DialectOptions;
  /** Called as the written file is read back. */
  readonly onProgress?: (progress: ReadProgress) => void;
}

/**
 * Puts a session file written beside `target` in place atomically, under `target`'s writer lock,
 * which the caller holds: the file (already fsynced) is read back and checked to replay to the
 * state it was written from (`RewriteCheckError` otherwise), then renamed into place (or
 * hard-linked, when an existing file must not be replaced) and the directory fsynced. A crash at
 * any point leaves either the old file or the new one, never a mix (and perhaps the temporary
 * file, which a later run removes: see `removeDeadTemporaries`). The written state is compared
 * by digest, so memory holds the state read back, never two states.
 */
export async function publishSession(
  fs: FileSystem,
  target: string,
  written: WrittenContent,
  { replace, dialects = {}, onProgress }: PublishOptions,
): Promise<ContextState> {
  let state: ContextState;
  try {
    const check = await readSessionFile(written.path, {
      format: 'contextlog',
      fs,
      ...dialects,
      ...(onProgress === undefined ? {} : { onProgress }),
    });
    if (stateDigest(check.state, written.maxPartChars) !== written.expectedDigest)
      throw new RewriteCheckError(target);
    state = check.state;
  } catch (error) {
    await removeQuietly(fs, written.path);
    throw error;
  }
  await publishFile(fs, written.path, target, { replace, locked: true });
  return state;
}
