import { constants } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { codeOf } from '@contextlog/core';
import { NotASessionError, SessionNotFoundError } from '../errors.js';
import {
  checkIsFile,
  defaultFileSystem,
  type FileHandleLike,
  type FileSystem,
  isMissing,
  realPathOf,
  syncDirectory,
} from '../fs/file-system.js';
import { acquireLock, removeDeadClaims } from '../lock/session-lock.js';
import { linkTargetOf, refuseDirectoryName } from '../publish/out-path.js';
import { removeDeadTemporaries } from '../publish/temporary-file.js';
import { contextlogFormat } from '../read/contextlog-format.js';
import { formatsFor } from './inspect-file.js';
import { recognize } from './recognize.js';
import type { DeleteFileOptions, DeleteFileResult } from './types.js';

// Opened without following a link (a link put in place after the check is refused) and without
// waiting for a FIFO's writer.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

async function openUnfollowed(fs: FileSystem, path: string): Promise<FileHandleLike> {
  try {
    return await fs.open(path, OPEN_FLAGS);
  } catch (error) {
    const code = codeOf(error);
    if (code === 'ELOOP') throw new NotASessionError(path, 'it became a symbolic link');
    if (isMissing(error)) throw new SessionNotFoundError(path);
    throw error;
  }
}

/** Why the file at `handle` is not a contextlog session a delete may remove, or undefined. */
async function refusal(
  handle: FileHandleLike,
  size: number,
  path: string,
  options: DeleteFileOptions,
): Promise<string | undefined> {
  const { format, claimed } = await recognize(handle, size, path, formatsFor(options));
  if (claimed) return undefined;
  if (format !== undefined && format.name !== contextlogFormat.name) return `it is ${format.title}`;
  return 'its first line is not a contextlog header';
}

async function tornTailsOf(fs: FileSystem, real: string): Promise<string[]> {
  const prefix = `${basename(real)}.torn-`;
  const names = await fs.readdir(dirname(real)).catch(() => [] as string[]);
  return names.filter((name) => name.startsWith(prefix)).map((name) => join(dirname(real), name));
}

/**
 * Deletes a session file, only when no live writer holds it: under the writer lock the file
 * store takes (a held one rejects with `SessionLockedError`, nothing changed), it checks that
 * the file is a contextlog session (its first line a contextlog header, even one of a newer
 * version, or an empty file: what the store writes) and removes it, then the leftovers of its
 * dead writers (temporary files, lock claims) and its lock. A symbolic link is refused, never
 * followed (`NotASessionError`): deleting through it would remove another path's file. Torn
 * tails kept aside are left (see `DeleteFileResult.keptAside`).
 *
 * A writer that opens the path afterwards creates a new, empty session there.
 */
export async function deleteFileSession(
  path: string,
  options: DeleteFileOptions = {},
): Promise<DeleteFileResult> {
  const fs = options.fs ?? defaultFileSystem;
  refuseDirectoryName(path);
  const link = await linkTargetOf(fs, path);
  if (link !== undefined) {
    throw new NotASessionError(
      path,
      `it is a symbolic link to ${link} (name the session file itself; rm removes the link)`,
    );
  }
  try {
    checkIsFile(path, await fs.stat(path));
  } catch (error) {
    if (isMissing(error)) throw new SessionNotFoundError(path);
    throw error;
  }
  const real = await realPathOf(fs, path);
  const lock = await acquireLock(fs, path, options.lock);
  try {
    let bytes: number;
    const handle = await openUnfollowed(fs, path);
    try {
      const stat = await handle.stat();
      checkIsFile(path, stat);
      bytes = stat.size;
      const reason = await refusal(handle, stat.size, path, options);
      if (reason !== undefined) throw new NotASessionError(path, reason);
      // Under the lock no contextlog writer replaces the file; anything else that did is refused.
      const now = await fs.stat(path).catch(() => undefined);
      if (now?.ino !== stat.ino) {
        throw new NotASessionError(path, 'it was replaced while it was checked; try again');
      }
      await fs.unlink(path);
    } finally {
      await handle.close();
    }
    // The deletion is done; a directory that cannot be synced only makes it less durable.
    await syncDirectory(fs, dirname(real)).catch(() => undefined);
    const removed = [
      ...(await removeDeadTemporaries(fs, real)),
      ...(await removeDeadClaims(fs, lock.lockPath)),
    ];
    return { path, bytes, removed, keptAside: await tornTailsOf(fs, real) };
  } finally {
    await lock.release();
  }
}
