import { constants, fstatSync } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { codeOf } from '@contextlog/core';
import { NotAFileError } from '../errors.js';

/** What the adapter reads of a stat: the type tests are optional so minimal test doubles still fit. */
export interface FileStat {
  readonly size: number;
  readonly ino: number;
  readonly mtime: Date;
  isFile?(): boolean;
  isDirectory?(): boolean;
  isFIFO?(): boolean;
  isCharacterDevice?(): boolean;
  isBlockDevice?(): boolean;
  isSocket?(): boolean;
}

/** The part of a Node `FileHandle` contextlog uses: positional reads and writes, sync, truncate. */
export interface FileHandleLike {
  read(
    buffer: Uint8Array,
    offset: number,
    length: number,
    position: number,
  ): Promise<{ bytesRead: number }>;
  write(
    buffer: Uint8Array,
    offset: number,
    length: number,
    position: number,
  ): Promise<{ bytesWritten: number }>;
  sync(): Promise<void>;
  truncate(length: number): Promise<void>;
  stat(): Promise<FileStat>;
  /**
   * Optional: an fstat on the calling thread. The file store checks the file's size before every
   * append; an fstat is ~2 µs, a thread-pool round trip ~20 µs (a tenth of a durable append).
   * Handles without it (test doubles) are asked through `stat()`.
   */
  statSync?(): FileStat;
  close(): Promise<void>;
}

/**
 * The subset of `node:fs/promises` the adapter calls, so tests can fail any call at any point
 * (ENOSPC on the third write, EIO on fsync …). `node:fs/promises` itself is the default.
 *
 * The file store opens `'fsync'` sessions with `O_DSYNC` in `flags` (see `opensDurableWrites`):
 * each write on such a handle is also its fsync, and there is no separate `sync()` per append. A
 * double that fails "the fsync" of an append fails such a write after its bytes are down.
 */
export interface FileSystem {
  open(path: string, flags: string | number, mode?: number): Promise<FileHandleLike>;
  stat(path: string): Promise<FileStat>;
  /** Optional (older injected file systems lack it): `node:fs/promises` realpath is used then. */
  realpath?(path: string): Promise<string>;
  /** Optional, as `realpath`: tells a dangling symbolic link from no file at all. */
  readlink?(path: string): Promise<string>;
  readFile(path: string): Promise<Buffer>;
  rename(from: string, to: string): Promise<void>;
  link(existing: string, newPath: string): Promise<void>;
  unlink(path: string): Promise<void>;
  readdir(path: string): Promise<string[]>;
}

/** Whether a handle opened with `flags` makes every write durable itself (`O_DSYNC`). */
export function opensDurableWrites(flags: string | number): boolean {
  const dsync: number | undefined = constants.O_DSYNC;
  return typeof flags === 'number' && dsync !== undefined && (flags & dsync) !== 0;
}

/** Node's `FileHandle`, plus `statSync` on its descriptor. */
function nodeHandle(handle: nodeFs.FileHandle): FileHandleLike {
  return {
    read: (buffer, offset, length, position) => handle.read(buffer, offset, length, position),
    write: (buffer, offset, length, position) => handle.write(buffer, offset, length, position),
    sync: () => handle.sync(),
    truncate: (length) => handle.truncate(length),
    stat: () => handle.stat(),
    statSync: () => fstatSync(handle.fd),
    close: () => handle.close(),
  };
}

export const defaultFileSystem: FileSystem = {
  open: async (path, flags, mode) => nodeHandle(await nodeFs.open(path, flags, mode)),
  stat: (path) => nodeFs.stat(path),
  realpath: (path) => nodeFs.realpath(path),
  readlink: (path) => nodeFs.readlink(path),
  readFile: (path) => nodeFs.readFile(path),
  rename: (from, to) => nodeFs.rename(from, to),
  link: (existing, newPath) => nodeFs.link(existing, newPath),
  unlink: (path) => nodeFs.unlink(path),
  readdir: (path) => nodeFs.readdir(path),
};

/** Writes all of `bytes` at `position`, looping over short writes. */
export async function writeFully(
  handle: FileHandleLike,
  bytes: Uint8Array,
  position: number,
): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
    if (bytesWritten <= 0) throw new Error(`write made no progress at byte ${position + done}`);
    done += bytesWritten;
  }
}

/** Reads exactly `length` bytes at `position` (fewer only at end of file). */
export async function readFully(
  handle: FileHandleLike,
  buffer: Uint8Array,
  offset: number,
  length: number,
  position: number,
): Promise<number> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, offset + done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}

/** fsyncs a directory, so a file created or renamed in it survives power loss. */
export async function syncDirectory(fs: FileSystem, dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export interface WriteNewFileOptions {
  /** fsync the file before closing it (default true). */
  readonly sync?: boolean;
}

/**
 * Creates `path` (which must not exist) holding `bytes`, fsynced unless told not to.
 * If the write, fsync or close fails, the file is removed: a half-written file is never left.
 */
export async function writeNewFile(
  fs: FileSystem,
  path: string,
  bytes: Uint8Array,
  { sync = true }: WriteNewFileOptions = {},
): Promise<void> {
  const handle = await fs.open(path, 'wx', 0o644);
  try {
    try {
      await writeFully(handle, bytes, 0);
      if (sync) await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    await fs.unlink(path).catch(() => undefined);
    throw error;
  }
}

/**
 * The canonical path of `path`: symlinks (of the file and of its directories) resolved, so two
 * names of one file get one lock and one torn-tail location. A file that does not exist yet is
 * its directory's real path + its name (its directory must exist to create it anyway).
 */
export async function realPathOf(fs: FileSystem, path: string): Promise<string> {
  const realpath = fs.realpath ?? ((p: string) => nodeFs.realpath(p));
  try {
    return await realpath(path);
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
  try {
    return join(await realpath(dirname(path)), basename(path));
  } catch (error) {
    if (!isMissing(error)) throw error;
    return resolve(path); // the writer reports the missing directory
  }
}

/** ENOENT, or ENOTDIR: a part of the path is a file, so nothing below it exists either. */
export function isMissing(error: unknown): boolean {
  const code = codeOf(error);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** What a stat that is not a regular file names, for a message ("a FIFO (named pipe)" …). */
export function kindOf(stat: FileStat): string | undefined {
  if (stat.isDirectory?.()) return 'a directory';
  if (stat.isFIFO?.()) return 'a FIFO (named pipe)';
  if (stat.isCharacterDevice?.()) return 'a character device';
  if (stat.isBlockDevice?.()) return 'a block device';
  if (stat.isSocket?.()) return 'a socket';
  return undefined;
}

/** Refuses a directory (or a device …) with a typed error naming the path, before any read. */
export function checkIsFile(path: string, stat: FileStat): void {
  if (stat.isFile !== undefined && !stat.isFile()) throw new NotAFileError(path, kindOf(stat));
}

/**
 * Opening a FIFO for reading waits for a writer (for ever, holding a thread of the pool): opened
 * non-blocking, it opens at once and its stat refuses it. Regular files ignore the flag.
 */
const READ_FLAGS: string | number =
  constants.O_NONBLOCK === undefined ? 'r' : constants.O_RDONLY | constants.O_NONBLOCK;

/** Opens `path` for reading, refusing anything that is not a regular file (`NotAFileError`). */
export async function openRegularFile(fs: FileSystem, path: string): Promise<FileHandleLike> {
  let handle: FileHandleLike;
  try {
    handle = await fs.open(path, READ_FLAGS);
  } catch (error) {
    if (codeOf(error) === 'EISDIR') throw new NotAFileError(path, 'a directory');
    throw error;
  }
  try {
    checkIsFile(path, await handle.stat());
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
  return handle;
}
