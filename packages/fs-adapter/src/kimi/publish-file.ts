import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { TargetExistsError } from '../errors.js';
import { errnoCode, type FileSystem, syncDirectory } from '../fs/file-system.js';
import { acquireLock } from '../lock/session-lock.js';

/** A fresh name beside `outPath`, so the final rename or link stays within one directory. */
export function temporaryPathFor(outPath: string): string {
  return `${outPath}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`;
}

export async function refuseExisting(fs: FileSystem, outPath: string): Promise<void> {
  try {
    await fs.stat(outPath);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return;
    throw error;
  }
  throw new TargetExistsError(outPath);
}

/**
 * Moves a finished temporary file to `outPath`. Without `force` it is linked, which fails if
 * `outPath` appeared meanwhile (no check-then-write race); with `force` it is renamed over it,
 * holding `outPath`'s writer lock (`SessionLockedError` if a live writer has it).
 * Either way readers see the old file or the whole new one, never a part.
 */
export async function publishFile(
  fs: FileSystem,
  temporary: string,
  outPath: string,
  force: boolean,
): Promise<void> {
  if (force) {
    // A session open in a writer is not replaced under it: its lock refuses us.
    const lock = await acquireLock(fs, outPath);
    try {
      await fs.rename(temporary, outPath);
    } finally {
      await lock.release();
    }
  } else {
    try {
      await fs.link(temporary, outPath);
    } catch (error) {
      if (errnoCode(error) === 'EEXIST') throw new TargetExistsError(outPath);
      throw error;
    } finally {
      await fs.unlink(temporary).catch(() => undefined);
    }
  }
  await syncDirectory(fs, dirname(outPath));
}

export async function removeQuietly(fs: FileSystem, path: string): Promise<void> {
  await fs.unlink(path).catch(() => undefined);
}
