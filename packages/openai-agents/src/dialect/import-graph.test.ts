import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

// The `./dialect` entry is imported by readers (the CLI) that have no SDK: its files may import
// each other, @contextlog/core and zod, and must not extend core's declarations.

describe('the ./dialect entry', () => {
  it('imports only @contextlog/core, zod and its own files', async () => {
    const dir = new URL('./', import.meta.url);
    const files = (await readdir(dir)).filter(
      (name) => name.endsWith('.ts') && !name.includes('.test'),
    );
    expect(files).toContain('index.ts');
    for (const name of files) {
      const source = await readFile(new URL(name, dir), 'utf8');
      const imports = [...source.matchAll(/\bfrom\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g)].map(
        (match) => match[1] ?? match[2],
      );
      for (const specifier of imports) {
        expect(
          specifier === '@contextlog/core' || specifier === 'zod' || specifier?.startsWith('./'),
          `${name} imports ${specifier}`,
        ).toBe(true);
      }
      expect(source, name).not.toContain("declare module '@contextlog/core'");
    }
  });
});
