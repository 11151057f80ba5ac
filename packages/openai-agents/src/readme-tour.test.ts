import { readFile } from 'node:fs/promises';
import { readmeTsBlock } from '@contextlog/fs-adapter/testing';
import { runExampleInTempDir } from '@contextlog/fs-adapter/testing/vitest';
import { describe, expect, it } from 'vitest';

// The package README's tour is readme-tour.example.ts, run here in a temporary directory; the
// README block must be that file, character for character.

const SECTION = '## A tour';

const readmeBlock = () => readmeTsBlock(new URL('../README.md', import.meta.url), SECTION);

describe('the README tour', () => {
  it('is readme-tour.example.ts', async () => {
    const example = await readFile(new URL('./readme-tour.example.ts', import.meta.url), 'utf8');
    expect(await readmeBlock()).toBe(example);
  });

  it('runs: a run saved, the session reopened, the next run reads its history', async () => {
    const logged = await runExampleInTempDir(
      () => import('./readme-tour.example.js'),
      async (dir) => {
        const file = await readFile(`${dir}/sessions/user-42.jsonl`, 'utf8');
        expect(file).toContain('"openai-agents"');
      },
    );
    expect(logged[0]?.[0]).toBe('You asked about the weather in Paris.');
    expect(logged[1]?.[0]).toEqual([
      'message',
      'function_call',
      'function_call_result',
      'message',
      'message',
      'message',
    ]);
  });
});
