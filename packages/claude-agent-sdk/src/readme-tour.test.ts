import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { readmeTsBlock } from '@contextlog/fs-adapter/testing';
import { runExampleInTempDir } from '@contextlog/fs-adapter/testing/vitest';
import { describe, expect, it, vi } from 'vitest';

// The package README's example is readme-tour.example.ts, run here in a temporary directory with
// CLAUDE_CONFIG_DIR at the fixture config; the README block must be that file, character for character.

const SECTION = '## Example';

const readme = () => readmeTsBlock(new URL('../README.md', import.meta.url), SECTION);

describe('the README example', () => {
  it('is readme-tour.example.ts', async () => {
    const example = await readFile(new URL('./readme-tour.example.ts', import.meta.url), 'utf8');
    expect(await readme()).toBe(example);
  });

  it('runs: a transcript imported (twice), listed and read back through the SDK', async () => {
    vi.stubEnv(
      'CLAUDE_CONFIG_DIR',
      fileURLToPath(new URL('./fixtures/claude-config', import.meta.url)),
    );
    try {
      const logged = await runExampleInTempDir(() => import('./readme-tour.example.js'));
      expect(logged[0]).toEqual(['3f2a9c1e-5b7d-4e8a-9c0f-1a2b3c4d5e6f', 'Largest file in src']);
      expect(logged[1]?.[0]).toEqual(['user', 'assistant', 'user', 'assistant']);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
