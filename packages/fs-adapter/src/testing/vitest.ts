// `@contextlog/fs-adapter/testing/vitest`: vitest fixtures for tests that work on files.
// A subpath of its own because it imports vitest: `@contextlog/fs-adapter/testing` must load
// without it, and vitest is only an optional peer dependency, as in `@contextlog/testkit/vitest`.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, test as base, beforeAll, vi } from 'vitest';
import { tempDir } from './temp-dir.js';

/** Writes `text` to the file `name` in the test's directory and returns its path. */
export type WriteFile = (name: string, text: string | Buffer) => Promise<string>;

/**
 * vitest's `test` with two fixtures: `dir`, a fresh temporary directory for each test that asks
 * for it, removed after the test whether it passed or not; `write`, a file written into it.
 */
export const test = base
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads what a fixture needs from this pattern
  .extend('dir', async ({}, { onCleanup }) => {
    const { dir, cleanup } = await tempDir();
    onCleanup(cleanup);
    return dir;
  })
  .extend('write', async ({ dir }): Promise<WriteFile> => {
    return async (name, text) => {
      const path = join(dir, name);
      await writeFile(path, text);
      return path;
    };
  });

export const it = test;

/**
 * One temporary directory for all the tests of the enclosing file or `describe`: made before
 * the first, removed after the last. For tests that cannot take `dir` from their context:
 * property tests (`test.prop` hands its body only the generated values) and suites built when
 * the file is collected. Read `path` inside a test or hook.
 */
export function sharedTempDir(): { readonly path: string } {
  let made: Awaited<ReturnType<typeof tempDir>> | undefined;
  beforeAll(async () => {
    made = await tempDir();
  });
  afterAll(async () => {
    await made?.cleanup();
  });
  return {
    get path(): string {
      if (made === undefined) throw new Error('sharedTempDir: its path is read outside a test');
      return made.dir;
    },
  };
}

/**
 * Runs an example module (a README tour: `load` imports it) with a fresh temporary directory as
 * the working directory and `console.log` captured; gives what it logged, one array of
 * arguments a call. `inspect` sees the directory before it is removed.
 */
export async function runExampleInTempDir(
  load: () => Promise<unknown>,
  inspect?: (dir: string) => Promise<void>,
): Promise<unknown[][]> {
  const { dir, cleanup } = await tempDir();
  const before = process.cwd();
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    process.chdir(dir);
    await load();
    await inspect?.(dir);
    return log.mock.calls;
  } finally {
    log.mockRestore();
    process.chdir(before);
    await cleanup();
  }
}
