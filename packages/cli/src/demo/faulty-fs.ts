import * as nodeFs from 'node:fs/promises';

/**
 * Node's promise fs in the shape the file store takes as its `fs` option, with one switch: the
 * next positional write puts half of its bytes on disk and then fails with ENOSPC, as a full
 * disk does. The store must cut the half-line away and reject the append.
 */
export interface FaultyFs {
  readonly fs: ReturnType<typeof faultyFileSystem>;
  failNextWrite(): void;
}

function enospc(): Error {
  return Object.assign(new Error('ENOSPC: no space left on device, write (injected by the demo)'), {
    code: 'ENOSPC',
    errno: -28,
    syscall: 'write',
  });
}

function faultyFileSystem(shouldFail: () => boolean) {
  return {
    async open(path: string, flags: string | number, mode?: number) {
      const handle = await nodeFs.open(path, flags, mode);
      return {
        read: (buffer: Uint8Array, offset: number, length: number, position: number) =>
          handle.read(buffer, offset, length, position),
        async write(buffer: Uint8Array, offset: number, length: number, position: number) {
          if (shouldFail()) {
            await handle.write(buffer, offset, Math.floor(length / 2), position);
            throw enospc();
          }
          return handle.write(buffer, offset, length, position);
        },
        sync: () => handle.sync(),
        truncate: (length: number) => handle.truncate(length),
        stat: () => handle.stat(),
        close: () => handle.close(),
      };
    },
    stat: (path: string) => nodeFs.stat(path),
    readFile: (path: string) => nodeFs.readFile(path),
    rename: (from: string, to: string) => nodeFs.rename(from, to),
    link: (existing: string, newPath: string) => nodeFs.link(existing, newPath),
    unlink: (path: string) => nodeFs.unlink(path),
    readdir: (path: string) => nodeFs.readdir(path),
  };
}

export function createFaultyFs(): FaultyFs {
  let armed = false;
  const fs = faultyFileSystem(() => {
    if (!armed) return false;
    armed = false;
    return true;
  });
  return {
    fs,
    failNextWrite() {
      armed = true;
    },
  };
}
