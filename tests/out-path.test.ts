import { execFile } from 'node:child_process';
import { lstat, readdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  defaultFileSystem,
  type FileSystem,
  forkSession,
  openFileSession,
  openFileStore,
  readSessionFile,
} from '@contextlog/fs-adapter';
import { test } from '@contextlog/fs-adapter/testing/vitest';
import { exportKimiSession, importKimiSession } from '@contextlog/kimi';
import { describe, expect } from 'vitest';

// Every library writer of a new file (fork, import, export, a new session), across the packages
// that share fs-adapter's checks of OUT: what it must refuse before it creates anything, and how
// it says so.

const run = promisify(execFile);
// Making a device node needs root (CAP_MKNOD): run as another user (the README's test command
// works without root), the tests check the FIFO alone.
const ROOT = process.getuid?.() === 0;

/** What the writers read, in the test's directory: a contextlog session and a kimi-cli file. */
interface Inputs {
  readonly session: string;
  readonly kimi: string;
}

// Made for every test (auto), as the listings of the directory expect them there.
const it = test.extend('inputs', { auto: true }, async ({ dir }): Promise<Inputs> => {
  const session = join(dir, 'session.jsonl');
  const engine = await openFileSession(session);
  await engine.appendMessages({ role: 'user', content: 'hi' });
  await engine.close();
  const kimi = join(dir, 'context.jsonl');
  await writeFile(kimi, '{"role":"user","content":"hi"}\n');
  return { session, kimi };
});

type Writer = (inputs: Inputs, out: string, force: boolean) => Promise<unknown>;
const writers: Record<string, Writer> = {
  forkSession: ({ session }, out, force) => forkSession(session, out, { force }),
  importKimiSession: ({ kimi }, out, force) => importKimiSession(kimi, out, { force }),
  exportKimiSession: ({ session }, out, force) => exportKimiSession(session, out, { force }),
};

const listing = async (dir: string) => (await readdir(dir)).sort();

async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: Error & Record<string, unknown>) => error,
  );
}

describe('a non-regular OUT is refused even with force, and left as it is', () => {
  for (const [name, write] of Object.entries(writers)) {
    it(`${name}: a FIFO and a character device (made in the temp dir)`, async ({ dir, inputs }) => {
      const fifo = join(dir, 'fifo');
      const device = join(dir, 'device');
      await run('mkfifo', [fifo]);
      if (ROOT) await run('mknod', [device, 'c', '1', '3']);
      const before = await listing(dir);
      const specials: [string, string][] = [[fifo, 'a FIFO (named pipe)']];
      if (ROOT) specials.push([device, 'a character device']);
      for (const [out, kind] of specials) {
        for (const force of [false, true]) {
          const error = await rejection(write(inputs, out, force));
          expect(error).toMatchObject({ code: 'NOT_A_FILE', path: out, kind });
        }
      }
      expect((await lstat(fifo)).isFIFO()).toBe(true);
      if (ROOT) expect((await lstat(device)).isCharacterDevice()).toBe(true);
      expect(await listing(dir)).toEqual(before);
    });
  }

  it('a symlink to a FIFO is refused too; openFileStore refuses a FIFO', async ({
    dir,
    inputs,
  }) => {
    const fifo = join(dir, 'fifo');
    await run('mkfifo', [fifo]);
    await symlink(fifo, join(dir, 'link'));
    for (const write of Object.values(writers)) {
      await expect(write(inputs, join(dir, 'link'), true)).rejects.toMatchObject({
        code: 'NOT_A_FILE',
      });
    }
    await expect(openFileStore(fifo)).rejects.toMatchObject({ code: 'NOT_A_FILE', path: fifo });
    expect((await lstat(fifo)).isFIFO()).toBe(true);
  });

  it('a FIFO that appears after the first check is not replaced either', async ({
    dir,
    inputs,
  }) => {
    const out = join(dir, 'late');
    // The FIFO is made while the new file is being written (after the up-front check).
    const fs: FileSystem = {
      ...defaultFileSystem,
      async open(path, flags, mode) {
        if (path.endsWith('.tmp') && !path.includes('.lock.')) await run('mkfifo', [out]);
        return defaultFileSystem.open(path, flags, mode);
      },
    };
    const error = await rejection(importKimiSession(inputs.kimi, out, { force: true, fs }));
    expect(error).toMatchObject({ code: 'NOT_A_FILE', path: out });
    expect((await lstat(out)).isFIFO()).toBe(true);
    expect(await listing(dir)).toEqual(['context.jsonl', 'late', 'session.jsonl']);
  });

  it('reading a FIFO is refused at once instead of waiting for a writer', async ({ dir }) => {
    const fifo = join(dir, 'fifo');
    await run('mkfifo', [fifo]);
    await expect(readSessionFile(fifo)).rejects.toMatchObject({ code: 'NOT_A_FILE' });
    await expect(forkSession(fifo, join(dir, 'out.jsonl'))).rejects.toMatchObject({
      code: 'NOT_A_FILE',
    });
    await expect(importKimiSession(fifo, join(dir, 'out.jsonl'))).rejects.toMatchObject({
      code: 'NOT_A_FILE',
    });
  }, 5_000);
});

describe('an OUT ending in / names a directory: refused, nothing created', () => {
  const writersAndStores: Record<string, Writer> = {
    ...writers,
    openFileStore: async (_, out) => (await openFileStore(out)).close(),
    openFileSession: async (_, out) => (await openFileSession(out)).close(),
  };
  for (const [name, write] of Object.entries(writersAndStores)) {
    it(name, async ({ dir, inputs }) => {
      const before = await listing(dir);
      for (const out of [join(dir, 'newdir/'), 'newdir/']) {
        for (const force of [false, true]) {
          const error = await rejection(write(inputs, out, force));
          expect(error).toMatchObject({ code: 'NOT_A_FILE', path: out });
          expect(error.message).toBe(
            `${out} is a directory name (it ends in /), not a regular file: a session is one file`,
          );
        }
      }
      expect(await listing(dir)).toEqual(before);
    });
  }
});

describe('an OUT in a missing directory names that directory, not a temporary file', () => {
  const writersAndStores: Record<string, Writer> = {
    ...writers,
    openFileSession: async (_, out) => (await openFileSession(out)).close(),
  };
  for (const [name, write] of Object.entries(writersAndStores)) {
    it(name, async ({ dir, inputs }) => {
      const missing = join(dir, 'nodir', 'deeper');
      const error = await rejection(write(inputs, join(missing, 'out.jsonl'), true));
      expect(error).toMatchObject({ code: 'DIRECTORY_NOT_FOUND', directory: missing });
      expect(error.message).toBe(
        `${join(missing, 'out.jsonl')}: no such directory ${missing} (nothing was created)`,
      );
      const underFile = await rejection(write(inputs, join(inputs.session, 'out.jsonl'), true));
      expect(underFile).toMatchObject({ code: 'DIRECTORY_NOT_FOUND', directory: inputs.session });
      expect(underFile.message).toMatch(
        /session\.jsonl is not a directory \(nothing was created\)$/,
      );
      expect(await listing(dir)).toEqual(['context.jsonl', 'session.jsonl']);
    });
  }
});

describe('a dangling symbolic link', () => {
  it('openFileSession refuses it with DANGLING_SYMLINK naming where it points, creating nothing', async ({
    dir,
  }) => {
    const link = join(dir, 'link.jsonl');
    await symlink('nowhere.jsonl', link);
    const error = await rejection(openFileSession(link));
    expect(error).toMatchObject({
      code: 'DANGLING_SYMLINK',
      path: link,
      linkTarget: 'nowhere.jsonl',
    });
    expect(error.message).not.toMatch(/force/);
    expect(await readlink(link)).toBe('nowhere.jsonl');
    expect(await listing(dir)).toEqual(['context.jsonl', 'link.jsonl', 'session.jsonl']);
  });

  for (const [name, write] of Object.entries(writers)) {
    it(`${name}: refused in the library's terms unless force, which replaces the link`, async ({
      dir,
      inputs,
    }) => {
      const link = join(dir, 'link.jsonl');
      await symlink('nowhere.jsonl', link);
      const error = await rejection(write(inputs, link, false));
      expect(error).toMatchObject({ code: 'TARGET_EXISTS', path: link });
      expect(error.message).toBe(
        `${link} already exists (a symbolic link to nowhere.jsonl, which does not exist); pass { force: true } to replace it`,
      );
      expect(await readlink(link)).toBe('nowhere.jsonl');
      await write(inputs, link, true);
      expect((await lstat(link)).isFile()).toBe(true);
      expect((await readFile(link, 'utf8')).length).toBeGreaterThan(0);
      expect(await listing(dir)).toEqual(['context.jsonl', 'link.jsonl', 'session.jsonl']);
    });
  }
});

describe('a failed write names OUT, with a code, and leaves nothing', () => {
  const full = (): FileSystem => ({
    ...defaultFileSystem,
    async open(path, flags, mode) {
      if (path.endsWith('.tmp') && !path.includes('.lock.')) {
        throw Object.assign(new Error(`ENOSPC: no space left on device, open '${path}'`), {
          code: 'ENOSPC',
          path,
        });
      }
      return defaultFileSystem.open(path, flags, mode);
    },
  });
  const failing: Record<string, (inputs: Inputs, out: string) => Promise<unknown>> = {
    forkSession: ({ session }, out) => forkSession(session, out, { fs: full() }),
    importKimiSession: ({ kimi }, out) => importKimiSession(kimi, out, { fs: full() }),
    exportKimiSession: ({ session }, out) => exportKimiSession(session, out, { fs: full() }),
  };
  for (const [name, write] of Object.entries(failing)) {
    it(name, async ({ dir, inputs }) => {
      const out = join(dir, 'out.jsonl');
      const error = await rejection(write(inputs, out));
      expect(error).toMatchObject({ code: 'WRITE_FAILED', path: out });
      expect(error.message).toBe(
        `${out}: writing it failed (ENOSPC: no space left on device); nothing was changed`,
      );
      expect(await listing(dir)).toEqual(['context.jsonl', 'session.jsonl']);
    });
  }

  it('a rewrite that does not read back as promised: REWRITE_CHECK_FAILED, nothing replaced', async ({
    dir,
    inputs,
  }) => {
    const out = join(dir, 'out.jsonl');
    // A disk that garbles one byte of what it is given: the read-back state differs.
    const fs: FileSystem = {
      ...defaultFileSystem,
      async open(path, flags, mode) {
        const handle = await defaultFileSystem.open(path, flags, mode);
        if (!path.endsWith('.tmp') || path.includes('.lock.')) return handle;
        return {
          ...handle,
          write: (buffer, offset, length, position) => {
            const copy = Buffer.from(buffer.subarray(offset, offset + length));
            const at = copy.indexOf('"hi"');
            if (at >= 0) copy[at + 1] = 'H'.charCodeAt(0);
            return handle.write(copy, 0, copy.length, position);
          },
        };
      },
    };
    const error = await rejection(forkSession(inputs.session, out, { fs }));
    expect(error).toMatchObject({ code: 'REWRITE_CHECK_FAILED', path: out });
    expect(await listing(dir)).toEqual(['context.jsonl', 'session.jsonl']);
  });
});
