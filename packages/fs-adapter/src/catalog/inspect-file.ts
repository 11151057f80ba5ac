import { basename } from 'node:path';
import { codeOf } from '@contextlog/core';
import { describe } from '../describe.js';
import { SessionNotFoundError } from '../errors.js';
import { defaultFileSystem, type FileHandleLike, openRegularFile } from '../fs/file-system.js';
import { readSessionLock } from '../lock/session-lock.js';
import { contextlogFormat } from '../read/contextlog-format.js';
import type { SessionFormat } from '../read/session-format.js';
import { countSession } from './count.js';
import { recognize } from './recognize.js';
import type { FileSessionInfo, InspectFileOptions } from './types.js';

/** A session's name: its file name without `.jsonl` (the session id `contextlog copy` gives it). */
export function sessionNameOf(path: string): string {
  return basename(path).replace(/\.jsonl$/, '');
}

/** The formats to recognize files by: contextlog first, then the others given. */
export function formatsFor(options: InspectFileOptions): readonly SessionFormat[] {
  const others = (options.formats ?? []).filter((format) => format.name !== contextlogFormat.name);
  return [contextlogFormat, ...others];
}

export interface InspectOpenOptions extends InspectFileOptions {
  readonly counts: boolean;
  /** Count files of formats other than contextlog too (a listing that leaves them out does not). */
  readonly countOtherFormats: boolean;
  /** Called with the bytes a counting read has read so far. */
  readonly onBytes?: (bytesRead: number) => void;
}

/** `inspectFileSession` on an open handle: what the file holds, never an error for its content. */
export async function inspectOpen(
  handle: FileHandleLike,
  path: string,
  options: InspectOpenOptions,
): Promise<FileSessionInfo> {
  const fs = options.fs ?? defaultFileSystem;
  const stat = await handle.stat();
  const changedAt = stat.mtime.toISOString();
  const base = { name: sessionNameOf(path), path, bytes: stat.size, changedAt };
  const recognized = await recognize(handle, stat.size, path, formatsFor(options));
  const { format, header, dialect, estimator, problem } = recognized;
  const lock = await readSessionLock(path, fs).catch(() => undefined);
  const info: FileSessionInfo = {
    ...base,
    ...(format === undefined ? {} : { format: format.name }),
    ...(header === undefined ? {} : { createdAt: header.createdAt }),
    ...(dialect === undefined ? {} : { dialect }),
    ...(estimator === undefined ? {} : { estimator }),
    ...(lock?.alive === true ? { writer: { pid: lock.owner.pid, host: lock.owner.host } } : {}),
  };
  if (problem !== undefined) return { ...info, problem };
  if (format === undefined || !options.counts) return info;
  if (format.name !== contextlogFormat.name && !options.countOtherFormats) return info;
  const counted = await countSession(handle, path, stat.size, changedAt, format, {
    ...(options.dialects === undefined ? {} : { dialects: options.dialects }),
    ...(options.estimators === undefined ? {} : { estimators: options.estimators }),
    ...(options.onBytes === undefined ? {} : { onBytes: options.onBytes }),
  });
  if ('problem' in counted) return { ...info, problem: counted.problem };
  const { warnings, ...counts } = counted;
  return { ...info, ...counts, ...(warnings.length === 0 ? {} : { warnings }) };
}

/**
 * One session file with its message count, last seq and dialect: a streaming read of the whole
 * file through a message counter (memory bounded by the longest line and the live checkpoints,
 * not the history), read-only, without the lock. What the file holds never makes it throw: a
 * file of no known format or a corrupt one comes back with its `problem`. A missing path throws
 * `SessionNotFoundError`; a directory, FIFO or device `NotAFileError`.
 */
export async function inspectFileSession(
  path: string,
  options: InspectFileOptions = {},
): Promise<FileSessionInfo> {
  const fs = options.fs ?? defaultFileSystem;
  let handle: FileHandleLike;
  try {
    handle = await openRegularFile(fs, path);
  } catch (error) {
    if (codeOf(error) === 'ENOENT') throw new SessionNotFoundError(path);
    throw error;
  }
  try {
    return await inspectOpen(handle, path, { ...options, counts: true, countOtherFormats: true });
  } finally {
    await handle.close();
  }
}

/** A file that could not be looked at (unreadable, say): listed with why. */
export function unreadable(
  path: string,
  error: unknown,
  stat?: { size: number; mtime: Date },
): FileSessionInfo {
  return {
    name: sessionNameOf(path),
    path,
    bytes: stat?.size ?? 0,
    changedAt: stat?.mtime.toISOString() ?? '',
    problem: describe(error),
  };
}
