import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

// The CLI loads `./dialect` to read sessions of this dialect: its import graph must hold only
// @contextlog/core and zod (no SDK, no file that adds error codes to core by declaration merging).
it('./dialect imports only @contextlog/core, zod and its own files', async () => {
  const seen = new Set<string>();
  const external = new Set<string>();
  const visit = async (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    const source = await readFile(path, 'utf8');
    expect(source).not.toMatch(/declare module/);
    for (const [, target] of source.matchAll(/from '([^']+)'/g)) {
      if (target === undefined) continue;
      if (target.startsWith('.')) await visit(join(dirname(path), target.replace(/\.js$/, '.ts')));
      else external.add(target);
    }
  };
  await visit(fileURLToPath(new URL('./index.ts', import.meta.url)));
  expect([...external].sort()).toEqual(['@contextlog/core', 'zod']);
});
