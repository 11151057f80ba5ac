import { readFile } from 'node:fs/promises';
import { readmeBlock, tempDir } from '@contextlog/fs-adapter/testing';
import { describe, expect, it, vi } from 'vitest';

// The root README's second tour ("An AI SDK chat, saved and resumed") is readme-tour.example.ts,
// run here in a temporary directory; the README block must be that file, character for character.

const SECTION = '## An AI SDK chat, saved and resumed';

const readme = () => readmeBlock(new URL('../../../README.md', import.meta.url), SECTION);

describe('the README tour of an AI SDK chat', () => {
  it('is readme-tour.example.ts', async () => {
    const example = await readFile(new URL('./readme-tour.example.ts', import.meta.url), 'utf8');
    expect(await readme()).toBe(example);
  });

  it('runs: two requests saved, the chat resumed by a new store', async () => {
    const { dir, cleanup } = await tempDir();
    const before = process.cwd();
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      process.chdir(dir);
      await import('./readme-tour.example.js');
      expect(log.mock.calls[0]?.[0]).toEqual([
        'user: text',
        'assistant: step-start, reasoning, text',
        'user: text',
        'assistant: step-start, reasoning, text',
      ]);
      expect(log.mock.calls[1]?.[0]).toEqual([{ chatId: 'chat-1', changedAt: expect.any(String) }]);
    } finally {
      log.mockRestore();
      process.chdir(before);
      await cleanup();
    }
  });
});
