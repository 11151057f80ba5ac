import { constants } from 'node:fs';
import { dirname } from 'node:path';
import { ContextlogError, codeOf } from '@contextlog/core';
import { TargetExistsError, WriteFailedError } from '../errors.js';
import {
  type FileHandleLike,
  type FileSystem,
  syncDirectory,
  writeNewFile,
} from '../fs/file-system.js';
import { acquireLock } from '../lock/session-lock.js';
import { refuseNonRegular } from './out-path.js';
import { removeDeadTemporaries, temporaryPathFor } from './temporary-file.js';

/**
 * A system error on the way to `target` (a full disk, a read-only directory) names `target`, not
 * the temporary file it happened on; contextlog's own errors pass as they are.
 */
function writeFailure(target: string, error: unknown): unknown {
  if (error instanceof ContextlogError || codeOf(error) === undefined) return error;
  return new WriteFailedError(target, error);
}

export interface Temporary {
  readonly path: string;
  readonly handle: FileHandleLike;
}

/**
 * Creates the temporary file that will become `target`, beside it (see `temporaryPathFor`),
 * after removing what dead writers left of earlier attempts.
 */
export async function openTemporary(fs: FileSystem, target: string): Promise<Temporary> {
  await removeDeadTemporaries(fs, target);
  const path = await temporaryPathFor(target);
  try {
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL;
    return { path, handle: await fs.open(path, flags, 0o644) };
  } catch (error) {
    throw writeFailure(target, error);
  }
}

/** `openTemporary`, holding all of `bytes`, fsynced. Nothing is left if that fails. */
export async function writeTemporary(
  fs: FileSystem,
  target: string,
  bytes: Uint8Array,
): Promise<string> {
  await removeDeadTemporaries(fs, target);
  const path = await temporaryPathFor(target);
  try {
    // writeNewFile removes the temporary file itself if its write fails.
    await writeNewFile(fs, path, bytes);
  } catch (error) {
    throw writeFailure(target, error);
  }
  return path;
}

export interface PublishOptions {
  /** Replace an existing regular file at `target` (default: refuse with `TargetExistsError`). */
  readonly replace: boolean;
  /** The caller holds `target`'s writer lock; otherwise it is taken to replace the file. */
  readonly locked?: boolean;
}

/**
 * Moves a finished temporary file to `target`; the temporary file is gone afterwards, whatever
 * happens. Without `replace` it is linked, which fails if `target` appeared meanwhile (no
 * check-then-write race); with `replace` it is renamed over it, under `target`'s writer lock
 * (`SessionLockedError` if a live writer has it), and never over anything but a regular file
 * (`NotAFileError`: a rename would put a file in place of a FIFO or a device). Readers see the
 * old file or the whole new one, never a part; the directory is fsynced.
 */
export async function publishFile(
  fs: FileSystem,
  temporary: string,
  target: string,
  { replace, locked = false }: PublishOptions,
): Promise<void> {
  try {
    if (replace) {
      // A session open in a writer is not replaced under it: its lock refuses us.
      const lock = locked ? undefined : await acquireLock(fs, target);
      try {
        await refuseNonRegular(fs, target);
        await fs.rename(temporary, target);
      } finally {
        await lock?.release();
      }
    } else {
      try {
        await fs.link(temporary, target);
      } catch (error) {
        if (codeOf(error) === 'EEXIST') throw new TargetExistsError(target);
        throw error;
      }
      // The new file is in place: a temporary name left behind is a dead writer's leftover
      // once this process ends, and removed then.
      await fs.unlink(temporary).catch(() => undefined);
    }
  } catch (error) {
    await removeQuietly(fs, temporary);
    throw writeFailure(target, error);
  }
  await syncDirectory(fs, dirname(target));
}

export async function removeQuietly(fs: FileSystem, path: string): Promise<void> {
  await fs.unlink(path).catch(() => undefined);
}
