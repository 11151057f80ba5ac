import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openFileSession } from '@contextlog/fs-adapter';
import { describe, expect } from 'vitest';
import { SESSION_STATE } from './expected-states.test-helper.js';
import {
  collect,
  fixture,
  it,
  oneLineError,
  replayJson,
  runCli,
  sha256,
  startCli,
} from './test-support.test-helper.js';

describe('contextlog fork', () => {
  it('forks the whole state, or the state at a checkpoint; IN unchanged', async ({ dir }) => {
    const input = await fixture(dir, 'session.jsonl');
    const before = await sha256(input);

    const whole = join(dir, 'whole.jsonl');
    const result = await runCli(['fork', input, whole], dir);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^forked .*session\.jsonl into .*whole\.jsonl: 4 messages/);
    const { seq, metadata, diagnostics: _d, ...state } = await replayJson(whole, dir);
    const { seq: _es, metadata: _em, diagnostics: _ed, ...expected } = SESSION_STATE;
    expect(state).toEqual(expected);
    // seq 1 snapshots the state, seq 2 records where it came from.
    expect(seq).toBe(2);
    expect(metadata).toEqual({
      model: 'kimi-k2',
      forkedFrom: { path: input, seq: 7, checkpoint: null },
    });

    // At checkpoint 1: what revertTo(1) gives: the 3 messages before it, checkpoint 0 only.
    const atOne = join(dir, 'at-1.jsonl');
    const fork = await runCli(['fork', input, atOne, '--at', '1'], dir);
    expect(fork.code, fork.stderr).toBe(0);
    const reverted = await replayJson(atOne, dir);
    expect(reverted.messages).toEqual(SESSION_STATE.messages.slice(0, 3));
    expect(reverted.tokenCount).toBe(1200);
    expect(reverted.pendingTokenEstimate).toBe(5);
    expect(reverted.nextCheckpointId).toBe(1);
    expect(reverted.checkpoints).toEqual([SESSION_STATE.checkpoints[0]]);
    expect(await sha256(input)).toBe(before);
  });

  it('refuses a checkpoint that does not exist, an existing OUT, a corrupt IN (exit 1)', async ({
    dir,
  }) => {
    const input = await fixture(dir, 'session.jsonl');
    const missing = await runCli(['fork', input, join(dir, 'a.jsonl'), '--at', '7'], dir);
    expect(missing.code, missing.stderr).toBe(1);
    expect(oneLineError(missing)).toMatch(/checkpoint 7/);
    expect(existsSync(join(dir, 'a.jsonl'))).toBe(false);

    const existing = await fixture(dir, 'context.jsonl');
    const before = await sha256(existing);
    const refused = await runCli(['fork', input, existing], dir);
    expect(refused.code, refused.stderr).toBe(1);
    expect(oneLineError(refused)).toMatch(/already exists/);
    expect(await sha256(existing)).toBe(before);

    const corrupt = await fixture(dir, 'corrupt-middle.jsonl');
    const bad = await runCli(['fork', corrupt, join(dir, 'b.jsonl')], dir);
    expect(bad.code, bad.stderr).toBe(1);
    expect(oneLineError(bad)).toMatch(/corrupt-middle\.jsonl:4\b/);
    expect(existsSync(join(dir, 'b.jsonl'))).toBe(false);
  });
});

describe('commands that write refuse a session a live writer holds', () => {
  it('fork and export-kimi with --force onto a locked OUT: exit 1, OUT unchanged', async ({
    dir,
  }) => {
    const input = await fixture(dir, 'session.jsonl');
    const output = join(dir, 'live.jsonl');
    const engine = await openFileSession(output);
    try {
      await engine.appendMessages({ role: 'user', content: 'mine' });
      const before = await sha256(output);
      for (const args of [
        ['fork', input, output, '--force'],
        ['export-kimi', input, output, '--force'],
      ]) {
        const result = await runCli(args, dir);
        expect(result.code, `${args[0]}: ${result.stderr}`).toBe(1);
        const line = oneLineError(result);
        expect(line).toMatch(
          new RegExp(
            `live\\.jsonl: locked by live process ${process.pid} since [^:]+:\\d\\d:[^:]+; not replacing a session a live writer holds$`,
          ),
        );
        // The reading wording is verify's.
        expect(line).not.toMatch(/while this reads/);
        expect(await sha256(output)).toBe(before);
      }
    } finally {
      await engine.close();
    }
  });
});

describe('contextlog snapshot', () => {
  it('rewrites the file as one snapshot event that replays to the same state and seq', async ({
    dir,
  }) => {
    const path = await fixture(dir, 'session.jsonl');
    const result = await runCli(['snapshot', path], dir);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /^snapshotted .*session\.jsonl at seq 7: 1127 bytes -> \d+ bytes/,
    );
    const lines = (await readFile(path, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[1] as string)).toMatchObject({ seq: 7, type: 'state.snapshotted' });
    expect(await replayJson(path, dir)).toEqual(SESSION_STATE);
  });

  it('refuses a session a live writer holds, naming its pid; the file is unchanged', async ({
    dir,
  }) => {
    const path = join(dir, 'live.jsonl');
    const engine = await openFileSession(path);
    try {
      await engine.appendMessages({ role: 'user', content: 'one' });
      const before = await sha256(path);
      const result = await runCli(['snapshot', path], dir);
      expect(result.code, result.stderr).toBe(1);
      expect(oneLineError(result)).toMatch(new RegExp(`locked by process ${process.pid}\\b`));
      expect(await sha256(path)).toBe(before);
    } finally {
      await engine.close();
    }
  });

  it('refuses a kimi-cli file, a corrupt file and a missing file (exit 1, unchanged)', async ({
    dir,
  }) => {
    const expected: Record<string, RegExp> = {
      'context.jsonl':
        /^contextlog: context\.jsonl: is a kimi-cli context\.jsonl: snapshot reads contextlog sessions; convert it with `contextlog import-kimi context\.jsonl OUT`$/,
      'corrupt-middle.jsonl': /corrupt-middle\.jsonl:4\b/,
    };
    for (const [name, message] of Object.entries(expected)) {
      const path = await fixture(dir, name);
      const before = await sha256(path);
      const result = await runCli(['snapshot', name], dir);
      expect(result.code, `${name}: ${result.stderr}`).toBe(1);
      expect(oneLineError(result)).toMatch(message);
      expect(oneLineError(result)).not.toMatch(/importKimiSession/);
      expect(await sha256(path)).toBe(before);
    }
    // kimi-cli records past the first 64 KiB: the store refuses it, in the CLI's words too.
    const late = join(dir, 'late.jsonl');
    const junk = `${'x'.repeat(1000)}\n`.repeat(70);
    await writeFile(late, `${junk}{"role":"user","content":"hi"}\n`);
    const lateResult = await runCli(['snapshot', late], dir);
    expect(lateResult.code, lateResult.stderr).toBe(1);
    expect(oneLineError(lateResult)).toMatch(
      /late\.jsonl: is a kimi-cli context\.jsonl: snapshot reads contextlog sessions; convert it with `contextlog import-kimi .*late\.jsonl OUT`$/,
    );
    const missing = await runCli(['snapshot', join(dir, 'nope.jsonl')], dir);
    expect(missing.code, missing.stderr).toBe(1);
    expect(oneLineError(missing)).toMatch(/no such file/);
    expect(existsSync(join(dir, 'nope.jsonl'))).toBe(false);
  });
});

describe('contextlog follow', () => {
  it('prints the events so far, then each one another process commits; Ctrl-C exits 0', async ({
    dir,
  }) => {
    const path = join(dir, 'live.jsonl');
    const engine = await openFileSession(path);
    try {
      await engine.appendMessages({ role: 'user', content: 'first message' });
      const child = startCli(['follow', path], dir);
      const done = collect(child);
      let seen = '';
      child.stdout?.on('data', (text: string) => {
        seen += text;
      });
      await waitFor(() => seen.includes('first message'));
      await engine.appendMessages({ role: 'assistant', content: 'second message' });
      await engine.recordUsage(42);
      await waitFor(() => seen.includes('token count 42'));
      child.kill('SIGINT');
      const result = await done;
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toBe('');
      const lines = result.stdout.trim().split('\n');
      expect(lines[0]).toMatch(/^#1\s+messages\.appended\s+user\s+first message$/);
      expect(lines[1]).toMatch(/^#2\s+messages\.appended\s+assistant\s+second message$/);
      expect(lines[2]).toMatch(/^#3\s+usage\.recorded\s+token count 42$/);
    } finally {
      await engine.close();
    }
  });

  it('--json prints each event as stored, one per line', async ({ dir }) => {
    const path = await fixture(dir, 'session.jsonl');
    const before = await sha256(path);
    const child = startCli(['follow', path, '--json'], dir);
    const done = collect(child);
    let seen = '';
    child.stdout?.on('data', (text: string) => {
      seen += text;
    });
    await waitFor(() => seen.split('\n').length > 7);
    child.kill('SIGINT');
    const result = await done;
    expect(result.code, result.stderr).toBe(0);
    const stored = (await readFile(path, 'utf8')).trim().split('\n').slice(1);
    expect(
      result.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual(stored.map((line) => JSON.parse(line)));
    expect(await sha256(path)).toBe(before);
  });

  it('stops with one line and exit 1 when the file is replaced under it (a snapshot)', async ({
    dir,
  }) => {
    const path = await fixture(dir, 'session.jsonl');
    const child = startCli(['follow', path], dir);
    const done = collect(child);
    let seen = '';
    child.stdout?.on('data', (text: string) => {
      seen += text;
    });
    await waitFor(() => seen.includes('#7'));
    const snapshot = await runCli(['snapshot', path], dir);
    expect(snapshot.code, snapshot.stderr).toBe(0);
    const result = await done;
    expect(result.code, result.stderr).toBe(1);
    expect(oneLineError(result)).toMatch(/session\.jsonl was replaced/);
  });

  it('a kimi-cli file: one line saying to convert it, exit 1 at once, file unchanged', async ({
    dir,
  }) => {
    const path = await fixture(dir, 'context.jsonl');
    const before = await sha256(path);
    const result = await runCli(['follow', 'context.jsonl'], dir);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toBe('');
    expect(oneLineError(result)).toBe(
      'contextlog: context.jsonl: is a kimi-cli context.jsonl: follow reads contextlog sessions; convert it with `contextlog import-kimi context.jsonl OUT`',
    );
    expect(await sha256(path)).toBe(before);
  });

  it('a kimi-cli file only its format tells (a raw control character): the same one line', async ({
    dir,
  }) => {
    // JSON.parse refuses the line; kimi-cli reads it, and so does kimiFormat's detection.
    await writeFile(join(dir, 'raw.jsonl'), '{"role":"user","content":"a\u0001b"}\n');
    const result = await runCli(['follow', 'raw.jsonl'], dir);
    expect(result.code, result.stderr).toBe(1);
    expect(oneLineError(result)).toBe(
      'contextlog: raw.jsonl: is a kimi-cli context.jsonl: follow reads contextlog sessions; convert it with `contextlog import-kimi raw.jsonl OUT`',
    );
  });

  it('a missing file or a directory: exit 1 at once', async ({ dir }) => {
    const result = await runCli(['follow', join(dir, 'nope.jsonl')], dir);
    expect(result.code, result.stderr).toBe(1);
    expect(oneLineError(result)).toMatch(/no such file/);
    const directory = await runCli(['follow', dir], dir);
    expect(directory.code, directory.stderr).toBe(1);
    oneLineError(directory);
  });
});

describe('contextlog demo', () => {
  it('runs, ends by saying the replayed state equals the live one, and leaves sound files', async ({
    dir,
  }) => {
    const out = join(dir, 'demo');
    const result = await runCli(['demo', '--dir', out], dir);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const lines = result.stdout.trim().split('\n');
    expect(lines.at(-1)).toMatch(/The replayed state equals the live one/);
    expect(result.stdout).toContain(join(out, 'session.jsonl'));
    expect(result.stdout).toMatch(/state sha-256\s+([0-9a-f]{16})\s+=\s+\1/);
    expect(result.stdout).not.toMatch(/≠/);
    for (const name of ['session.jsonl', 'context.jsonl']) {
      const verify = await runCli(['verify', join(out, name)], dir);
      expect(verify.code, `${verify.stdout}${verify.stderr}`).toBe(0);
    }
    // The demo's session and its kimi-cli export replay to the same messages.
    const session = await replayJson(join(out, 'session.jsonl'), dir);
    const kimi = await replayJson(join(out, 'context.jsonl'), dir);
    expect(kimi.messages).toEqual(session.messages);
    expect(kimi.tokenCountWithPending).toBe(session.tokenCountWithPending);

    // A second run into the same directory refuses to replace those files without --force.
    const again = await runCli(['demo', '--dir', out], dir);
    expect(again.code, again.stderr).toBe(1);
    expect(oneLineError(again)).toMatch(/session\.jsonl: already exists/);
    const forced = await runCli(['demo', '--dir', out, '--force'], dir);
    expect(forced.code, forced.stderr).toBe(0);
  });

  it('refuses a --dir that is a file', async ({ dir }) => {
    const file = join(dir, 'file');
    await writeFile(file, 'x');
    const result = await runCli(['demo', '--dir', file], dir);
    expect(result.code, result.stderr).toBe(1);
    expect(oneLineError(result)).toMatch(/file: is not a directory/);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting for output');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
