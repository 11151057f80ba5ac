import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileSystem } from '../fs/file-system.js';
import { defaultFileSystem, opensDurableWrites } from '../fs/file-system.js';

/** A fresh temporary directory for one test, removed by `cleanup`. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'contextlog-fs-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export async function sha256(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

type Call = 'write' | 'sync' | 'truncate' | 'read';

/**
 * The real file system, except that the handle calls `fail` picks reject with an errno error:
 * `fail(call, n, path)` is asked before the n-th call of each kind (counting from 1) on a handle
 * opened at `path`.
 *
 * On a handle opened with O_DSYNC (the file store's `'fsync'` sessions) every write is also an
 * fsync: after its bytes are down, its flush is asked as a `'sync'` call, and failing it rejects
 * the write with the bytes in the file, as a disk that cannot flush does.
 */
export function faultyFileSystem(
  fail: (call: Call, n: number, path: string) => string | undefined,
  inner: FileSystem = defaultFileSystem,
): FileSystem {
  const counts: Record<Call, number> = { write: 0, sync: 0, truncate: 0, read: 0 };
  const check = (call: Call, path: string) => {
    counts[call]++;
    const code = fail(call, counts[call], path);
    if (code !== undefined) {
      throw Object.assign(new Error(`${code}: injected ${call} failure`), { code });
    }
  };
  return {
    ...inner,
    async open(path, flags, mode) {
      const handle = await inner.open(path, flags, mode);
      const durableWrites = opensDurableWrites(flags);
      return {
        read: async (...args) => {
          check('read', path);
          return handle.read(...args);
        },
        write: async (buffer, offset, length, position) => {
          try {
            check('write', path);
          } catch (error) {
            // A failing write may still have put part of its bytes down, as a full disk does.
            await handle.write(buffer, offset, Math.floor(length / 2), position);
            throw error;
          }
          const written = await handle.write(buffer, offset, length, position);
          if (durableWrites) check('sync', path);
          return written;
        },
        sync: async () => {
          check('sync', path);
          return handle.sync();
        },
        truncate: async (length) => {
          check('truncate', path);
          return handle.truncate(length);
        },
        stat: () => handle.stat(),
        close: () => handle.close(),
      };
    },
  };
}
