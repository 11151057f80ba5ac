import { lstat, open, readlink, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { codeOf, hasCode } from '@contextlog/core';
import { contextlogFormat, type SessionFormat } from '@contextlog/fs-adapter';
import { FileError } from './errors.js';
import { describeLiveWriter } from './lock-status.js';
import { type Sniffed, sniff } from './sniff.js';

const SNIFF_BYTES = 64 * 1024;

export interface InputFile {
  readonly size: number;
  /** The format the file's first block names, if any (a hint: the readers decide). */
  readonly format: Sniffed['format'];
}

type Stats = Awaited<ReturnType<typeof stat>>;

/**
 * Checks that `path` is a file a session could be in, before any reader touches it, so the user
 * hears "is a directory" or "binary data" rather than a parser's complaint about line 1.
 * Opens the file read-only; never changes it.
 */
export async function checkInputFile(path: string): Promise<InputFile> {
  let info: Stats;
  try {
    info = await stat(path);
  } catch (error) {
    const code = codeOf(error);
    if (code === 'ENOENT') throw new FileError(path, 'no such file');
    if (code === 'ENOTDIR')
      throw new FileError(path, 'no such file (a part of the path is not a directory)');
    throw error;
  }
  if (info.isDirectory()) throw new FileError(path, 'is a directory, not a session file');
  if (!info.isFile()) throw new FileError(path, 'is not a regular file');
  if (info.size === 0) return { size: 0, format: undefined };
  const sniffed = await sniffFile(path);
  if (sniffed.binary) {
    throw new FileError(path, 'binary data, not a session file of any known format');
  }
  return { size: info.size, format: sniffed.format };
}

async function sniffFile(path: string): Promise<Sniffed> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    return sniff(buffer.subarray(0, bytesRead), bytesRead < SNIFF_BYTES);
  } finally {
    await handle.close();
  }
}

/** A path for a command line the user may paste: quoted when the shell would split or expand it. */
export function shellWord(path: string): string {
  return /^[\w@%+=:,./~-]+$/.test(path) ? path : `'${path.replaceAll("'", `'\\''`)}'`;
}

/**
 * Refuses a file of another format for a command that reads contextlog sessions only, naming the
 * command that converts it (`import-<format>`, as `import-kimi`).
 */
export function refuseOtherFormat(
  path: string,
  format: SessionFormat | undefined,
  command: string,
): void {
  if (format === undefined || format.name === contextlogFormat.name) return;
  throw new FileError(
    path,
    `is ${format.title}: ${command} reads contextlog sessions; convert it with \`contextlog import-${format.name} ${shellWord(path)} OUT\``,
  );
}

/**
 * The directory a new file would go into must exist: otherwise the writers' errors would name
 * their internal temporary file.
 */
export async function checkParentDirectory(path: string): Promise<void> {
  const parent = dirname(path);
  let info: Stats;
  try {
    info = await stat(parent);
  } catch (error) {
    const code = codeOf(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new FileError(path, `no such directory ${parent}`);
    }
    throw error;
  }
  if (!info.isDirectory()) throw new FileError(path, `${parent} is not a directory`);
}

/**
 * Throws when OUT is IN under another name (the same path, a symlink, a hard link): writing OUT
 * would destroy the input, so not even --force allows it. An OUT that does not exist yet cannot
 * be IN, which exists.
 */
function checkNotInput(output: string, outInfo: Stats, input: string, inInfo: Stats): void {
  if (outInfo.dev === inInfo.dev && outInfo.ino === inInfo.ino) {
    throw new FileError(output, `is the same file as ${input} (OUT must be another file)`);
  }
}

/**
 * An OUT ending in `/` names a directory: refused as given, before anything is looked up (the
 * name without its slash could be a file the command would otherwise write).
 */
export function refuseDirectoryName(path: string): void {
  if (path.endsWith('/'))
    throw new FileError(path, 'ends in /, so it names a directory: OUT must be a file name');
}

/** Where `path` is a symbolic link to nothing: its target, else undefined. */
export async function danglingLinkTarget(path: string): Promise<string | undefined> {
  const info = await lstat(path).catch(() => undefined);
  return info?.isSymbolicLink() ? readlink(path) : undefined;
}

/** Anything but a regular file is refused as OUT, whatever --force says: a FIFO, a device … */
export function refuseNonRegular(path: string, info: Stats): void {
  if (info.isDirectory()) throw new FileError(path, 'is a directory');
  if (!info.isFile()) {
    throw new FileError(path, 'is not a regular file (a device, FIFO or socket); not replacing it');
  }
}

/**
 * Checks OUT before a command writes it: its directory must exist, it must not be IN (with or
 * without --force), and an existing OUT is replaced only with `force`, never a directory, a
 * device or FIFO, nor a session a live writer holds. Resolves with whether OUT exists.
 */
export interface OutputFileOptions {
  /** Replace an existing OUT (--force). */
  readonly force: boolean;
  /** IN, which OUT must not be. */
  readonly input?: string;
}

export async function checkOutputFile(
  path: string,
  { force, input }: OutputFileOptions,
): Promise<boolean> {
  refuseDirectoryName(path);
  let info: Stats;
  try {
    info = await stat(path);
  } catch (error) {
    const code = codeOf(error);
    if (code === 'ENOENT') {
      const target = await danglingLinkTarget(path);
      if (target !== undefined) {
        if (force) return true;
        throw new FileError(
          path,
          existsReason(`a symbolic link to ${target}, which does not exist`),
        );
      }
    }
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      await checkParentDirectory(path);
      if (code === 'ENOENT') return false;
    }
    throw error;
  }
  refuseNonRegular(path, info);
  if (input !== undefined) checkNotInput(path, info, input, await stat(input));
  if (!force) throw new FileError(path, existsReason());
  // Replacing a session a live process is writing would silently cut that writer off.
  const writer = await describeLiveWriter(path);
  if (writer !== undefined) {
    throw new FileError(path, `${writer}; not replacing a session a live writer holds`);
  }
  return true;
}

function existsReason(what?: string): string {
  return what === undefined
    ? 'already exists (use --force to replace it)'
    : `already exists (${what}: use --force to replace it)`;
}

/**
 * Runs a writer of OUT, saying its refusal of an existing OUT in command-line terms: the library
 * names its option (`{ force: true }`), the command line its flag.
 */
export async function withForceFlag<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if (!hasCode(error, 'TARGET_EXISTS')) throw error;
    throw new FileError(error.path, existsReason(error.what));
  }
}
