import { spawn, spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { BIN, collect, it, sha256 } from './test-support.test-helper.js';

/** util-linux `script` runs a command on a pseudo-terminal: stderr is then a TTY. */
const hasScript = spawnSync('script', ['--version']).status === 0;

async function writeSession(path: string, messages: number): Promise<void> {
  const lines = ['{"format":"contextlog","version":1,"createdAt":"2026-11-27T10:00:00.000Z"}'];
  for (let seq = 1; seq <= messages; seq++) {
    const message = { role: 'user', content: `message ${seq} ${'x'.repeat(200)}` };
    lines.push(
      JSON.stringify({
        seq,
        type: 'messages.appended',
        v: 1,
        at: '2026-11-27T10:00:00.000Z',
        data: { messages: [message] },
      }),
    );
  }
  await writeFile(path, `${lines.join('\n')}\n`);
}

describe.skipIf(!hasScript)('the progress bar', () => {
  it('is drawn on a terminal stderr, then erased; stdout stays clean JSON', async ({ dir }) => {
    const path = join(dir, 'session.jsonl');
    const out = join(dir, 'out.json');
    await writeSession(path, 5000);
    const before = await sha256(path);
    const child = spawn(
      'script',
      ['-qec', `"${process.execPath}" "${BIN}" replay "${path}" --json > "${out}"`, '/dev/null'],
      {
        env: { ...process.env, CONTEXTLOG_PROGRESS_MIN_BYTES: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const result = await collect(child);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/\rreplaying \[[#.]+\]\s+\d+% \d+\/\d+ MiB/);
    // The last thing drawn erases the bar: carriage return, then "erase to end of line".
    expect(result.stdout.endsWith('\r\u001b[K')).toBe(true);
    expect(result.stdout).toMatch(/100% \d+\/\d+ MiB\r/);
    const parsed = JSON.parse(await readFile(out, 'utf8'));
    expect(parsed.messages).toHaveLength(5000);
    expect(await sha256(path)).toBe(before);
  });

  it('is not drawn when stderr is not a terminal', async ({ dir }) => {
    const path = join(dir, 'session.jsonl');
    await writeSession(path, 100);
    const child = spawn(process.execPath, [BIN, 'replay', path, '--json'], {
      env: { ...process.env, CONTEXTLOG_PROGRESS_MIN_BYTES: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const result = await collect(child);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
  });
});
