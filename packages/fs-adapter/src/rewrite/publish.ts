import { createHash } from 'node:crypto';
import type { DialectOptions } from '@contextlog/core';
import { RewriteCheckError } from '../errors.js';
import { type FileSystem, openRegularFile } from '../fs/file-system.js';
import { publishFile, removeQuietly } from '../publish/publish-file.js';
import { createContextlogDecoder } from '../read/contextlog-decoder.js';
import { lineBatches } from '../read/line-batches.js';
import type { ReadProgress } from '../read/types.js';
import type { WrittenSession } from './session-writer.js';

/** Only the dialect options of `options`, for passing on. */
export function dialectsOf(options: DialectOptions): DialectOptions {
  return {
    ...(options.dialects === undefined ? {} : { dialects: options.dialects }),
    ...(options.estimators === undefined ? {} : { estimators: options.estimators }),
  };
}

export interface PublishOptions {
  /** Rename over an existing `target` (otherwise it is hard-linked, refused if `target` exists). */
  readonly replace: boolean;
  /** The session's dialect, for checking its messages as a reader will. */
  readonly dialects?: DialectOptions;
  /** Called as the written file is read back. */
  readonly onProgress?: (progress: ReadProgress) => void;
}

/**
 * Puts a session file written beside `target` (`writeSessionTemporary`) in place atomically,
 * under `target`'s writer lock, which the caller holds: the file (already fsynced) is checked
 * (`checkWrittenSession`; `RewriteCheckError` otherwise), then renamed into place (or hard-linked,
 * when an existing file must not be replaced) and the directory fsynced. A crash at any point
 * leaves either the old file or the new one, never a mix (and perhaps the temporary file, which
 * a later run removes: see `removeDeadTemporaries`).
 */
export async function publishSession(
  fs: FileSystem,
  target: string,
  written: WrittenSession,
  { replace, dialects = {}, onProgress }: PublishOptions,
): Promise<void> {
  try {
    await checkWrittenSession(fs, target, written, dialects, onProgress);
  } catch (error) {
    await removeQuietly(fs, written.path);
    throw error;
  }
  await publishFile(fs, written.path, target, { replace, locked: true });
}

/**
 * Reads a written session back as a strict reader does (every line, every part of the snapshot
 * validated with the session's dialect, seqs in order, no torn tail) and checks that its bytes
 * are the bytes written (SHA-256) and its last seq the one written. The writer builds each part
 * from the state (`snapshotParts`, whose parts join into exactly the state's snapshot), so a file
 * that passes replays to that state; the snapshot's items are validated and dropped, so the
 * check holds no second state.
 */
async function checkWrittenSession(
  fs: FileSystem,
  target: string,
  written: WrittenSession,
  dialects: DialectOptions,
  onProgress: ((progress: ReadProgress) => void) | undefined,
): Promise<void> {
  const handle = await openRegularFile(fs, written.path);
  try {
    const { size } = await handle.stat();
    if (size !== written.bytes) throw new RewriteCheckError(target);
    const digest = createHash('sha256');
    const decoder = createContextlogDecoder(written.path, 'strict', [], dialects, {
      keepSnapshotItems: false,
    });
    for await (const batch of lineBatches(handle, 0, size, { prefetch: true })) {
      digest.update(batch.buf.subarray(batch.from, batch.final ? batch.tailEnd : batch.to));
      decoder.batch(batch, () => undefined);
      onProgress?.({ bytesRead: Math.min(batch.position, size), totalBytes: size });
    }
    decoder.finish();
    const same =
      digest.digest('hex') === written.sha256 &&
      decoder.tornTail === undefined &&
      decoder.lastSeq === written.lastSeq;
    if (!same) throw new RewriteCheckError(target);
  } finally {
    await handle.close();
  }
}
