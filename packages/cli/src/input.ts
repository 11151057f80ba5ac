import { open, stat } from 'node:fs/promises';
import { FileError } from './errors.js';
import { liveWriterOf } from './lock-status.js';

const SNIFF_BYTES = 8 * 1024;

/**
 * Checks that `path` is a file a session could be in, before any reader touches it, so the user
 * hears "is a directory" or "binary data" rather than a parser's complaint about line 1.
 * Returns the size in bytes. Opens the file read-only; never changes it.
 */
export async function checkInputFile(path: string): Promise<number> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT') throw new FileError(path, 'no such file');
    if (code === 'ENOTDIR')
      throw new FileError(path, 'no such file (a part of the path is not a directory)');
    throw error;
  }
  if (info.isDirectory()) throw new FileError(path, 'is a directory, not a session file');
  if (!info.isFile()) throw new FileError(path, 'is not a regular file');
  if (info.size > 0 && (await looksBinary(path))) {
    throw new FileError(path, 'binary data, not a session file of any known format');
  }
  return info.size;
}

/**
 * Session files of both formats are JSON text: a NUL byte, or many control bytes, in the first
 * 8 KiB means something else (an archive, an image, a database).
 */
async function looksBinary(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    let control = 0;
    for (let i = 0; i < bytesRead; i++) {
      const byte = buffer[i] as number;
      if (byte === 0) return true;
      if ((byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) || byte === 0x7f) {
        control++;
      }
    }
    return control > bytesRead / 10;
  } finally {
    await handle.close();
  }
}

/** Refuses to replace an existing file unless `force`; never replaces a directory. */
export async function checkOutputFile(path: string, force: boolean): Promise<boolean> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return false;
    throw error;
  }
  if (info.isDirectory()) throw new FileError(path, 'is a directory');
  if (!force) throw new FileError(path, 'already exists (use --force to replace it)');
  // Replacing a session a live process is writing would silently cut that writer off.
  const writer = await liveWriterOf(path);
  if (writer !== undefined) throw new FileError(path, `${writer}; not replacing it`);
  return true;
}
