import { readFile } from 'node:fs/promises';
import { readmeTsBlock } from '@contextlog/fs-adapter/testing';
import { runExampleInTempDir } from '@contextlog/fs-adapter/testing/vitest';
import { describe, expect, it } from 'vitest';

// The root README's second tour ("An AI SDK chat, saved and resumed") is readme-tour.example.ts,
// run here in a temporary directory; the README block must be that file, character for character.

const SECTION = '## An AI SDK chat, saved and resumed';

const readmeBlock = () => readmeTsBlock(new URL('../../../README.md', import.meta.url), SECTION);

describe('the README tour of an AI SDK chat', () => {
  it('is readme-tour.example.ts', async () => {
    const example = await readFile(new URL('./readme-tour.example.ts', import.meta.url), 'utf8');
    expect(await readmeBlock()).toBe(example);
  });

  it('runs: two requests saved, the chat resumed by a new store', async () => {
    const logged = await runExampleInTempDir(() => import('./readme-tour.example.js'));
    expect(logged[0]?.[0]).toEqual([
      'user: text',
      'assistant: step-start, reasoning, text',
      'user: text',
      'assistant: step-start, reasoning, text',
    ]);
    expect(logged[1]?.[0]).toEqual([{ chatId: 'chat-1', changedAt: expect.any(String) }]);
  });
});
