import { readFile } from 'node:fs/promises';
import { tempDir } from '@contextlog/fs-adapter/testing';
import { describe, expect, it, vi } from 'vitest';

// The package README's tour is readme-tour.example.ts, run here in a temporary directory; the
// README block must be that file, character for character.

const SECTION = '## A tour';

async function readmeBlock(): Promise<string> {
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf(SECTION);
  if (start === -1) throw new Error(`the README has no section "${SECTION}"`);
  const end = readme.indexOf('\n## ', start + SECTION.length);
  const match = /```ts\n([\s\S]*?)```/.exec(readme.slice(start, end === -1 ? undefined : end));
  if (match?.[1] === undefined) throw new Error(`no ts block in "${SECTION}"`);
  return match[1];
}

describe('the README tour', () => {
  it('is readme-tour.example.ts', async () => {
    const example = await readFile(new URL('./readme-tour.example.ts', import.meta.url), 'utf8');
    expect(await readmeBlock()).toBe(example);
  });

  it('runs: a run saved, the session reopened, the next run reads its history', async () => {
    const { dir, cleanup } = await tempDir();
    const before = process.cwd();
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      process.chdir(dir);
      await import('./readme-tour.example.js');
      expect(log.mock.calls[0]?.[0]).toBe('You asked about the weather in Paris.');
      expect(log.mock.calls[1]?.[0]).toEqual([
        'message',
        'function_call',
        'function_call_result',
        'message',
        'message',
        'message',
      ]);
      const file = await readFile(`${dir}/sessions/user-42.jsonl`, 'utf8');
      expect(file).toContain('"openai-agents"');
    } finally {
      log.mockRestore();
      process.chdir(before);
      await cleanup();
    }
  });
});
