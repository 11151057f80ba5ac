import { spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { BIN, collect, it, type RunResult } from './test-support.test-helper.js';

// Each file is 64 MB; a command that held it, or all its events, or two copies of a state of its
// size, needs far more than this heap. The controls below show the limit binds.
const HEAP_MB = 24;
const BLOCKS = 64;
const TEXT = 'x'.repeat(1000);
const AT = '2026-12-06T00:00:00.000Z';

function limited(args: readonly string[], cwd: string): Promise<RunResult> {
  return collect(
    spawn(process.execPath, [`--max-old-space-size=${HEAP_MB}`, BIN, ...args, '--quiet'], {
      cwd,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
}

/**
 * A 64 MB contextlog session: blocks of 1,000 appended messages, each block (with `clear`) ended
 * by a `context.cleared`, so the live state stays a block at most while the file grows.
 */
async function contextlogSession(path: string, clear: boolean): Promise<void> {
  const file = await open(path, 'w');
  await file.write(`${JSON.stringify({ format: 'contextlog', version: 1, createdAt: AT })}\n`);
  let seq = 0;
  for (let block = 0; block < BLOCKS; block++) {
    const lines: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const messages = [{ role: 'user', content: `${seq} ${TEXT}` }];
      lines.push(
        JSON.stringify({ seq: ++seq, type: 'messages.appended', v: 1, at: AT, data: { messages } }),
      );
    }
    if (clear && block < BLOCKS - 1) {
      lines.push(JSON.stringify({ seq: ++seq, type: 'context.cleared', v: 1, at: AT, data: {} }));
    }
    await file.write(`${lines.join('\n')}\n`);
  }
  await file.close();
}

/** A 64 MB kimi-cli context.jsonl: a system prompt, then one message per line. */
async function kimiSession(path: string): Promise<void> {
  const file = await open(path, 'w');
  await file.write(`${JSON.stringify({ role: '_system_prompt', content: 'sys' })}\n`);
  for (let block = 0; block < BLOCKS; block++) {
    const lines: string[] = [];
    for (let i = 0; i < 1000; i++) {
      lines.push(
        JSON.stringify({
          role: i % 2 === 0 ? 'user' : 'assistant',
          content: `${block} ${i} ${TEXT}`,
        }),
      );
    }
    await file.write(`${lines.join('\n')}\n`);
  }
  await file.close();
}

const outOfMemory = /heap out of memory|Allocation failed/;

describe(`every command over a whole session streams: a 64 MB file under a ${HEAP_MB} MB heap`, () => {
  it('snapshot, fork, export-kimi, verify and replay need the live state, not the file', async ({
    dir,
  }) => {
    const full = join(dir, 'full.jsonl');
    await contextlogSession(full, false);
    // The control: a live state of the file's size does not fit in this heap.
    const control = await limited(['fork', full, join(dir, 'control.jsonl')], dir);
    expect(control.code).not.toBe(0);
    expect(control.stderr).toMatch(outOfMemory);

    const path = join(dir, 'cleared.jsonl');
    await contextlogSession(path, true);
    const runs: [string, readonly string[]][] = [
      ['replay', ['replay', path]],
      ['replay --json', ['replay', path, '--json']],
      ['verify', ['verify', path]],
      ['fork', ['fork', path, join(dir, 'fork.jsonl')]],
      ['export-kimi', ['export-kimi', path, join(dir, 'context.jsonl')]],
      ['snapshot', ['snapshot', path]],
    ];
    for (const [name, args] of runs) {
      const result = await limited(args, dir);
      expect(result.code, `${name}: ${result.stderr.slice(0, 400)}`).toBe(0);
    }
  }, 240_000);

  it('import-kimi keeps no message: a history of the file size converts', async ({ dir }) => {
    const kimi = join(dir, 'context.jsonl');
    await kimiSession(kimi);
    const control = await limited(['replay', kimi, '--json'], dir);
    expect(control.code).not.toBe(0);
    expect(control.stderr).toMatch(outOfMemory);
    const result = await limited(['import-kimi', kimi, join(dir, 'imported.jsonl')], dir);
    expect(result.code, result.stderr.slice(0, 400)).toBe(0);
  }, 240_000);
});
