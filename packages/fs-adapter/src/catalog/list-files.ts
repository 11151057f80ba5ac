import { join } from 'node:path';
import { codeOf } from '@contextlog/core';
import { DirectoryNotFoundError } from '../errors.js';
import {
  defaultFileSystem,
  type FileStat,
  type FileSystem,
  isMissing,
  kindOf,
  openRegularFile,
} from '../fs/file-system.js';
import { linkTargetOf } from '../publish/out-path.js';
import { contextlogFormat } from '../read/contextlog-format.js';
import { inspectOpen, sessionNameOf, unreadable } from './inspect-file.js';
import type { FileSessionInfo, FileSessionList, ListFileSessionsOptions } from './types.js';

/**
 * Session files are `*.jsonl`. Names starting with `.` are left out: every temporary file of the
 * adapter is one (`.<name>.<writer>.tmp`); locks (`.jsonl.lock`), their claims and kept-aside
 * torn tails (`.jsonl.torn-<offset>`) do not end in `.jsonl`.
 */
export function isSessionFileName(name: string): boolean {
  return name.endsWith('.jsonl') && !name.startsWith('.') && name.length > '.jsonl'.length;
}

type Candidate =
  | { readonly path: string; readonly stat: FileStat }
  | { readonly path: string; readonly entry: FileSessionInfo };

/** What is at `path`: a regular file to read, an entry saying why it cannot be, or nothing. */
async function candidate(fs: FileSystem, path: string): Promise<Candidate | undefined> {
  let stat: FileStat;
  try {
    stat = await fs.stat(path);
  } catch (error) {
    if (!isMissing(error)) return { path, entry: unreadable(path, error) };
    const target = await linkTargetOf(fs, path);
    if (target === undefined) return undefined; // removed since the listing: not a session now
    return {
      path,
      entry: unreadable(path, `a symbolic link to ${target}, which does not exist`),
    };
  }
  const kind = kindOf(stat);
  if (kind === 'a directory') return undefined;
  if (kind !== undefined || stat.isFile?.() === false) {
    return { path, entry: unreadable(path, `${kind ?? 'not a regular file'}`, stat) };
  }
  return { path, stat };
}

/**
 * The sessions in `dir` (not its subdirectories): every `*.jsonl` file whose first line is a
 * contextlog header, or that is empty, with its size, last change, creation time, live writer
 * and (from the header alone, when it tells) dialect; with `counts`, each file is also read
 * through a message counter for its message count, last seq and dialect. A `.jsonl` file no
 * format claims, or one that cannot be read, is listed with its `problem`: one bad file never
 * fails the listing. Files of another of `formats` (kimi-cli's) are in `skipped` unless
 * `includeOtherFormats`. Read-only, without locks.
 */
export async function listFileSessions(
  dir: string,
  options: ListFileSessionsOptions = {},
): Promise<FileSessionList> {
  const fs = options.fs ?? defaultFileSystem;
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (error) {
    const code = codeOf(error);
    if (code === 'ENOENT') throw new DirectoryNotFoundError(dir, dir);
    if (code === 'ENOTDIR') throw new DirectoryNotFoundError(dir, dir, true);
    throw error;
  }
  const candidates: Candidate[] = [];
  // By session name: `a-b.jsonl` after `a.jsonl`, as their names `a-b` and `a` sort.
  const sorted = names
    .filter(isSessionFileName)
    .map((name) => [sessionNameOf(name), name] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [, name] of sorted) {
    const found = await candidate(fs, join(dir, name));
    if (found !== undefined) candidates.push(found);
  }
  const counts = options.counts === true;
  const totalFiles = candidates.length;
  const totalBytes = counts
    ? candidates.reduce((sum, c) => sum + ('stat' in c ? c.stat.size : 0), 0)
    : 0;
  let filesDone = 0;
  let bytesBefore = 0;
  const progress = (bytesRead: number) =>
    options.onProgress?.({ filesDone, totalFiles, bytesRead, totalBytes });

  const sessions: FileSessionInfo[] = [];
  const skipped: { path: string; format: string }[] = [];
  for (const found of candidates) {
    const entry = 'entry' in found ? found.entry : await inspectCandidate(found, counts);
    if (
      entry.format !== undefined &&
      entry.format !== contextlogFormat.name &&
      options.includeOtherFormats !== true
    ) {
      skipped.push({ path: entry.path, format: entry.format });
    } else {
      sessions.push(entry);
    }
    filesDone++;
    if ('stat' in found && counts) bytesBefore += found.stat.size;
    progress(bytesBefore);
  }
  return { dir, sessions, skipped };

  async function inspectCandidate(
    { path, stat }: { path: string; stat: FileStat },
    withCounts: boolean,
  ): Promise<FileSessionInfo> {
    try {
      const handle = await openRegularFile(fs, path);
      try {
        return await inspectOpen(handle, path, {
          ...options,
          counts: withCounts,
          countOtherFormats: options.includeOtherFormats === true,
          onBytes: (bytesRead) => progress(bytesBefore + bytesRead),
        });
      } finally {
        await handle.close();
      }
    } catch (error) {
      return unreadable(path, error, stat);
    }
  }
}
