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

  /** Runs the bin on a pseudo-terminal (stdout of the command discarded); what the terminal saw. */
  const onTerminal = (args: readonly string[]) =>
    collect(
      spawn(
        'script',
        [
          '-qec',
          `"${process.execPath}" "${BIN}" ${args.map((a) => `"${a}"`).join(' ')} > /dev/null`,
          '/dev/null',
        ],
        {
          env: { ...process.env, CONTEXTLOG_PROGRESS_MIN_BYTES: '0' },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      ),
    );

  // Each command that reads a whole file draws the bar while it reads, then erases it.
  // `out` names a new file for the commands that write one.
  const commands: readonly [string, (path: string, out: string) => string[], string][] = [
    ['fork', (path, out) => ['fork', path, out], 'reading'],
    ['snapshot', (path) => ['snapshot', path], 'reading'],
    ['export-kimi', (path, out) => ['export-kimi', path, out], 'reading'],
    ['verify', (path) => ['verify', path], 'replaying'],
    ['replay --tail', (path) => ['replay', path, '--tail', '1'], 'replaying'],
    ['copy', (path, out) => ['copy', path, out], 'copying'],
  ];
  for (const [name, argsOf, label] of commands) {
    it(`${name} draws it while it reads, and not with --quiet`, async ({ dir }) => {
      const path = join(dir, 'session.jsonl');
      await writeSession(path, 3000);
      const drawn = await onTerminal(argsOf(path, join(dir, 'a.jsonl')));
      expect(drawn.code, drawn.stdout).toBe(0);
      expect(drawn.stdout).toMatch(new RegExp(`\\r${label} \\[[#.]+\\] +100% \\d+/\\d+ MiB`));
      // Erased after its last drawing (a count line may follow it).
      expect(drawn.stdout.lastIndexOf('\r\u001b[K')).toBeGreaterThan(
        drawn.stdout.lastIndexOf('MiB'),
      );
      await writeSession(path, 3000);
      const quiet = await onTerminal([...argsOf(path, join(dir, 'b.jsonl')), '--quiet']);
      expect(quiet.code, quiet.stdout).toBe(0);
      expect(quiet.stdout).not.toMatch(/MiB/);
    });
  }

  it('import-kimi draws it while it converts, and not with --quiet', async ({ dir }) => {
    const kimi = join(dir, 'context.jsonl');
    const lines = Array.from({ length: 3000 }, (_, i) =>
      JSON.stringify({ role: 'user', content: `message ${i} ${'x'.repeat(200)}` }),
    );
    await writeFile(kimi, `${lines.join('\n')}\n`);
    const drawn = await onTerminal(['import-kimi', kimi, join(dir, 'a.jsonl')]);
    expect(drawn.code, drawn.stdout).toBe(0);
    expect(drawn.stdout).toMatch(/\rimporting \[[#.]+\] +100% \d+\/\d+ MiB/);
    const quiet = await onTerminal(['import-kimi', kimi, join(dir, 'b.jsonl'), '--quiet']);
    expect(quiet.code, quiet.stdout).toBe(0);
    expect(quiet.stdout).not.toMatch(/MiB/);
  });
});
