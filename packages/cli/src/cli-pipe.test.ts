import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { BIN, collect, it, runCli, startCli } from './test-support.test-helper.js';

/** A kimi-cli file of `count` messages of ~1 KB each: megabytes of `replay --json` output. */
async function bigKimiFile(path: string, count: number): Promise<void> {
  const lines = [JSON.stringify({ role: '_system_prompt', content: 'big' })];
  for (let i = 0; i < count; i++) {
    lines.push(
      JSON.stringify({ role: i % 2 ? 'assistant' : 'user', content: `${i} ${'z'.repeat(1000)}` }),
    );
  }
  await writeFile(path, `${lines.join('\n')}\n`);
}

describe('stdout is a pipe', () => {
  it('a reader that goes away early (| head) ends the command quietly with exit 0', async ({
    dir,
  }) => {
    const child = startCli(['demo', '--dir', join(dir, 'demo')], dir);
    let stdout = '';
    child.stdout?.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
      // Like `head -1`: read the first line, then close the pipe.
      if (stdout.includes('\n')) child.stdout?.destroy();
    });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stdout).toMatch(/^contextlog demo: /);
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('replay --json to a reader that closes early: exit 0, nothing on stderr', async ({ dir }) => {
    const path = join(dir, 'big.jsonl');
    await bigKimiFile(path, 3000);
    const child = startCli(['replay', path, '--json'], dir);
    child.stdout?.once('data', () => child.stdout?.destroy());
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  // A real pipe, as a shell makes (node's own child stdio is a socket pair, which drains
  // differently): `replay --json big | (sleep 1; wc -c)`.
  it.skipIf(!existsSync('/bin/bash'))(
    'a slow reader on a pipe (many drains) gets all the JSON and no listener-leak warning',
    async ({ dir }) => {
      const path = join(dir, 'big.jsonl');
      await bigKimiFile(path, 3000);
      const direct = await runCli(['replay', path, '--json'], dir);
      expect(direct.code, direct.stderr).toBe(0);
      const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;
      const script = `${quote(process.execPath)} ${quote(BIN)} replay ${quote(path)} --json | (sleep 1; wc -c)`;
      const result = await collect(
        spawn('/bin/bash', ['-o', 'pipefail', '-c', script], {
          cwd: dir,
          stdio: ['ignore', 'pipe', 'pipe'],
        }),
      );
      expect(result.stderr).toBe('');
      expect(result.code, result.stderr).toBe(0);
      expect(Number(result.stdout.trim())).toBe(Buffer.byteLength(direct.stdout));
    },
  );
});
