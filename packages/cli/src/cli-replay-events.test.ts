import { spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import {
  BIN,
  collect,
  fixture,
  it,
  oneLineError,
  runCli,
  sha256,
} from './test-support.test-helper.js';

const seqsOf = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { seq: number }).seq);

describe('replay --tail N / --from SEQ: events, streamed, never folded', () => {
  it('--tail prints the last N events, oldest first', async ({ dir }) => {
    const path = await fixture(dir, 'session.jsonl');
    const json = await runCli(['replay', path, '--tail', '3', '--json'], dir);
    expect(json.code, json.stderr).toBe(0);
    expect(seqsOf(json.stdout)).toEqual([5, 6, 7]);
    const human = await runCli(['replay', path, '--tail', '2'], dir);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^#6 +messages\.appended +assistant +Running ls\./);
    expect(human.stdout).toMatch(/\n#7 +checkpoint\.created +checkpoint 1/);
    expect(human.stderr).toMatch(/session\.jsonl: 2 of 7 event\(s\)\n$/);
    // More than there are: all of them.
    expect(seqsOf((await runCli(['replay', path, '--tail', '100', '--json'], dir)).stdout)).toEqual(
      [1, 2, 3, 4, 5, 6, 7],
    );
  });

  it('--from prints the events from a seq on; with --tail, the last N of those', async ({
    dir,
  }) => {
    const path = await fixture(dir, 'session.jsonl');
    const from = await runCli(['replay', path, '--from', '5', '--json'], dir);
    expect(seqsOf(from.stdout)).toEqual([5, 6, 7]);
    const both = await runCli(['replay', path, '--from', '2', '--tail', '2', '--json'], dir);
    expect(seqsOf(both.stdout)).toEqual([6, 7]);
    const past = await runCli(['replay', path, '--from', '99'], dir);
    expect(past.code).toBe(0);
    expect(past.stdout).toBe('');
    expect(past.stderr).toMatch(/0 of 7 event\(s\) from seq 99/);
  });

  it('a torn tail is a warning on stderr; the file is unchanged', async ({ dir }) => {
    const path = await fixture(dir, 'torn-tail.jsonl');
    const before = await sha256(path);
    const result = await runCli(['replay', path, '--tail', '1', '--json'], dir);
    expect(result.code, result.stderr).toBe(0);
    expect(seqsOf(result.stdout)).toEqual([6]);
    expect(result.stderr).toMatch(/torn-tail\.jsonl:8: warning: torn tail/);
    expect(await sha256(path)).toBe(before);
  });

  it('bad values and kimi-cli files are refused in one line', async ({ dir }) => {
    const path = await fixture(dir, 'session.jsonl');
    for (const [args, message] of [
      [['--tail', '0'], /--tail must be a number of events \(1 or more\), not "0"/],
      [['--tail', 'x'], /--tail must be a number of events/],
      [['--from', '1.5'], /--from must be a seq \(1 or more\), not "1.5"/],
    ] as const) {
      const result = await runCli(['replay', path, ...args], dir);
      expect(result.code, args.join(' ')).toBe(2);
      expect(oneLineError(result)).toMatch(message);
    }
    const kimi = await fixture(dir, 'context.jsonl');
    const result = await runCli(['replay', kimi, '--tail', '2'], dir);
    expect(result.code).toBe(1);
    expect(oneLineError(result)).toMatch(
      /is a kimi-cli context\.jsonl: replay --tail\/--from reads contextlog sessions; convert it with `contextlog import-kimi/,
    );
  });

  it('the memory it needs does not grow with the file', async ({ dir }) => {
    // A 64 MB session under a 24 MB heap: holding its state cannot fit (the full replay is the
    // control, and must run out of memory), holding the last two events can.
    const path = join(dir, 'big.jsonl');
    const file = await open(path, 'w');
    const text = 'x'.repeat(1000);
    const at = '2026-12-06T00:00:00.000Z';
    await file.write(`${JSON.stringify({ format: 'contextlog', version: 1, createdAt: at })}\n`);
    let seq = 0;
    for (let block = 0; block < 64; block++) {
      const lines: string[] = [];
      for (let i = 0; i < 1000; i++) {
        const messages = [{ role: 'user', content: `${++seq} ${text}` }];
        lines.push(
          JSON.stringify({ seq, type: 'messages.appended', v: 1, at, data: { messages } }),
        );
      }
      await file.write(`${lines.join('\n')}\n`);
    }
    await file.close();
    const limited = (args: readonly string[]) =>
      collect(
        spawn(process.execPath, ['--max-old-space-size=24', BIN, ...args], {
          cwd: dir,
          env: { ...process.env, NO_COLOR: '1' },
          stdio: ['ignore', 'pipe', 'pipe'],
        }),
      );
    const tail = await limited(['replay', path, '--tail', '2', '--json']);
    expect(tail.code, tail.stderr.slice(0, 500)).toBe(0);
    expect(seqsOf(tail.stdout)).toEqual([seq - 1, seq]);
    const whole = await limited(['replay', path, '--json']);
    expect(whole.code).not.toBe(0);
    expect(whole.stderr).toMatch(/heap out of memory|Allocation failed/);
  }, 60_000);
});
