import * as nodeFs from 'node:fs/promises';
import { dirname } from 'node:path';
import { codeOf } from '@contextlog/core';
import {
  DanglingSymlinkError,
  DirectoryNotFoundError,
  NotAFileError,
  TargetExistsError,
} from '../errors.js';
import { type FileSystem, isMissing, kindOf } from '../fs/file-system.js';

/** What is at a path a writer is about to create or replace. */
export type OutPathState =
  | { readonly kind: 'file' }
  | { readonly kind: 'missing' }
  | { readonly kind: 'dangling'; readonly linkTarget: string };

const DIRECTORY_NAME = process.platform === 'win32' ? /(^|[\\/])\.{0,2}$/ : /(^|\/)\.{0,2}$/;

/**
 * A name ending in a separator (or in `.` or `..`) names a directory: without this check,
 * `newdir/` would be created as the file `newdir`.
 */
export function refuseDirectoryName(path: string): void {
  if (!DIRECTORY_NAME.test(path)) return;
  const ending = /[\\/]$/.test(path) ? ' (it ends in /)' : '';
  throw new NotAFileError(path, `a directory name${ending}`);
}

/** The target of `path` when it is a symbolic link (whose file, when stat said ENOENT, is missing). */
export async function linkTargetOf(fs: FileSystem, path: string): Promise<string | undefined> {
  const readlink = fs.readlink ?? ((p: string) => nodeFs.readlink(p));
  try {
    return await readlink(path);
  } catch {
    return undefined; // not a link (EINVAL), or nothing there at all
  }
}

/** The directory a new file goes into must exist (else the error would name a temporary file). */
async function checkDirectoryOf(fs: FileSystem, path: string): Promise<void> {
  const directory = dirname(path);
  const stat = await fs.stat(directory).catch((error: unknown) => {
    if (!isMissing(error)) throw error;
    throw new DirectoryNotFoundError(path, directory, codeOf(error) === 'ENOTDIR');
  });
  if (stat.isDirectory?.() === false) throw new DirectoryNotFoundError(path, directory, true);
}

/**
 * Inspects a path a writer will create or replace, refusing up front (nothing read, locked or
 * created) what no writer may put a file in place of: a directory or a name ending in `/`, a
 * device, FIFO or socket (`NotAFileError`); a path whose directory does not exist
 * (`DirectoryNotFoundError`). A symbolic link is followed: a link to a FIFO is refused too.
 */
export async function inspectOutPath(fs: FileSystem, path: string): Promise<OutPathState> {
  refuseDirectoryName(path);
  let stat: Awaited<ReturnType<FileSystem['stat']>>;
  try {
    stat = await fs.stat(path);
  } catch (error) {
    if (!isMissing(error)) throw error;
    const linkTarget = await linkTargetOf(fs, path);
    if (linkTarget !== undefined) return { kind: 'dangling', linkTarget };
    await checkDirectoryOf(fs, path);
    return { kind: 'missing' };
  }
  if (stat.isFile?.() === false) throw new NotAFileError(path, kindOf(stat));
  return { kind: 'file' };
}

/** A new session is never created through a dangling symbolic link (`DanglingSymlinkError`). */
export async function checkCreatable(fs: FileSystem, path: string): Promise<void> {
  const state = await inspectOutPath(fs, path);
  if (state.kind === 'dangling') throw new DanglingSymlinkError(path, state.linkTarget);
}

/**
 * `inspectOutPath`, then an existing file (or a dangling symbolic link, which `force` replaces)
 * is refused with `TargetExistsError` unless `force`.
 */
export async function checkOutPath(
  fs: FileSystem,
  path: string,
  { force }: { readonly force: boolean },
): Promise<void> {
  const state = await inspectOutPath(fs, path);
  if (force || state.kind === 'missing') return;
  throw new TargetExistsError(
    path,
    state.kind === 'dangling'
      ? `a symbolic link to ${state.linkTarget}, which does not exist`
      : undefined,
  );
}

/** Refuses to rename a file over anything but a regular file (checked again just before). */
export async function refuseNonRegular(fs: FileSystem, path: string): Promise<void> {
  const stat = await fs.stat(path).catch((error: unknown) => {
    if (isMissing(error)) return undefined;
    throw error;
  });
  if (stat !== undefined && stat.isFile?.() === false) throw new NotAFileError(path, kindOf(stat));
}
