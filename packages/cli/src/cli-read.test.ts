import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openFileSession } from '@contextlog/fs-adapter';
import { describe, expect } from 'vitest';
import {
  EMPTY_STATE,
  KIMI_STATE,
  SESSION_STATE,
  TORN_TAIL_STATE,
} from './expected-states.test-helper.js';
import {
  fixture,
  it,
  oneLineError,
  type RunResult,
  runCli,
  sha256,
} from './test-support.test-helper.js';

/** Runs a read-only command on `path` and checks the file's bytes did not change. */
async function readOnly(args: readonly string[], path: string, cwd: string): Promise<RunResult> {
  const before = await sha256(path);
  const result = await runCli(args, cwd);
  expect(await sha256(path), `${args.join(' ')} changed ${path}`).toBe(before);
  return result;
}

describe('contextlog replay', () => {
  it('--json prints the state of a contextlog session as one JSON object', async ({ dir }) => {
    const path = await fixture(dir, 'session.jsonl');
    const result = await readOnly(['replay', path, '--json'], path, dir);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual(SESSION_STATE);
  });

  it('--json prints the state of a kimi-cli context.jsonl, detected by its content', async ({
    dir,
  }) => {
    const path = await fixture(dir, 'context.jsonl');
    const result = await readOnly(['replay', path, '--json'], path, dir);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual(KIMI_STATE);
    const forced = await readOnly(['replay', path, '--json', '--format', 'kimi'], path, dir);
    expect(forced.stdout).toBe(result.stdout);
  });

  it('prints a human summary of each format', async ({ dir }) => {
    const session = await fixture(dir, 'session.jsonl');
    const human = await readOnly(['replay', session], session, dir);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stderr).toBe('');
    expect(human.stdout).toMatch(/^format\s+contextlog \(8 lines, 7 events, 1127 bytes\)$/m);
    expect(human.stdout).toMatch(/^messages\s+4 \(user 2, assistant 1, tool 1\)$/m);
    expect(human.stdout).toMatch(/^tokens\s+1200 counted \+ 13 pending \(estimate\) = 1213$/m);
    expect(human.stdout).toMatch(/^checkpoints\s+2 \(ids 0, 1\), next id 2$/m);
    expect(human.stdout).toMatch(/^metadata\s+\{"model":"kimi-k2"\}$/m);
    expect(human.stdout).toMatch(/^system prompt\s+"You are a test agent\. …"$/m);
    expect(human.stdout).toMatch(/#2\s+assistant\s+Running ls\. \[tool call Shell/);

    const kimi = await fixture(dir, 'context.jsonl');
    const kimiHuman = await readOnly(['replay', kimi], kimi, dir);
    expect(kimiHuman.code, kimiHuman.stderr).toBe(0);
    expect(kimiHuman.stdout).toMatch(/^format\s+kimi \(8 lines, 8 events, \d+ bytes\)$/m);
    expect(kimiHuman.stdout).toMatch(/^system prompt\s+"You are Kimi Code CLI\. 你好"$/m);
    expect(kimiHuman.stdout).toMatch(/^tokens\s+1234 counted \+ 14 pending/m);
  });

  it('an empty file is an empty session (exit 0)', async ({ dir }) => {
    const path = join(dir, 'empty.jsonl');
    await writeFile(path, '');
    const result = await readOnly(['replay', path, '--json'], path, dir);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toMatchObject(EMPTY_STATE);
    const human = await readOnly(['replay', path], path, dir);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^messages\s+0$/m);
  });

  it('a torn tail is ignored with a warning (exit 0)', async ({ dir }) => {
    const path = await fixture(dir, 'torn-tail.jsonl');
    const result = await readOnly(['replay', path, '--json'], path, dir);
    expect(result.code, result.stderr).toBe(0);
    const { diagnostics, ...state } = JSON.parse(result.stdout);
    const { diagnostics: _, ...expected } = TORN_TAIL_STATE;
    expect(state).toEqual(expected);
    expect(diagnostics).toEqual([
      expect.objectContaining({
        line: 8,
        severity: 'warning',
        reason: expect.stringMatching(/torn/),
      }),
    ]);
  });

  it('--lenient replays around a corrupt line and lists it', async ({ dir }) => {
    const path = await fixture(dir, 'corrupt-middle.jsonl');
    const result = await readOnly(['replay', path, '--json', '--lenient'], path, dir);
    expect(result.code, result.stderr).toBe(0);
    const parsed = JSON.parse(result.stdout);
    expect(parsed.diagnostics).toContainEqual(
      expect.objectContaining({ line: 4, severity: 'error' }),
    );
    expect(parsed.messages).toHaveLength(SESSION_STATE.messages.length);
  });

  it('reads a session while a live writer holds its lock', async ({ dir }) => {
    const path = join(dir, 'live.jsonl');
    const engine = await openFileSession(path);
    try {
      await engine.appendMessages({ role: 'user', content: 'hello' });
      const result = await runCli(['replay', path, '--json'], dir);
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout).messages).toEqual([{ role: 'user', content: 'hello' }]);
    } finally {
      await engine.close();
    }
  });
});

describe('bad files: one line on stderr, exit 1, file unchanged', () => {
  const cases: [string, (dir: string) => Promise<string>, RegExp][] = [
    ['a missing file', async (dir) => join(dir, 'nope.jsonl'), /nope\.jsonl: no such file/],
    [
      'a directory',
      async (dir) => {
        await mkdir(join(dir, 'adir'));
        return join(dir, 'adir');
      },
      /adir: is a directory/,
    ],
    [
      'binary garbage',
      async (dir) => {
        const path = join(dir, 'garbage.bin');
        const bytes = Buffer.alloc(4096);
        for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919 + 13) % 256;
        await writeFile(path, bytes);
        return path;
      },
      /garbage\.bin: binary data, not a session file/,
    ],
    [
      'random bytes',
      async (dir) => {
        const path = join(dir, 'random.bin');
        await writeFile(path, randomBytes(4096));
        return path;
      },
      /random\.bin: binary data, not a session file/,
    ],
    [
      'a text file that is not a session',
      (dir) => fixture(dir, 'not-a-session.txt'),
      /not-a-session\.txt/,
    ],
    [
      'JSON that is not a session',
      (dir) => fixture(dir, 'not-a-session.json'),
      /not-a-session\.json/,
    ],
    [
      'a corrupt middle line',
      (dir) => fixture(dir, 'corrupt-middle.jsonl'),
      /corrupt-middle\.jsonl:4/,
    ],
    ['a seq gap', (dir) => fixture(dir, 'seq-gap.jsonl'), /seq-gap\.jsonl:6\b.*seq/],
    [
      'an unknown event type',
      (dir) => fixture(dir, 'unknown-event.jsonl'),
      /unknown-event\.jsonl:3\b.*metadata\.exploded/,
    ],
    [
      'a malformed kimi-cli line',
      (dir) => fixture(dir, 'context-malformed.jsonl'),
      /context-malformed\.jsonl:3\b/,
    ],
  ];
  for (const [what, make, message] of cases) {
    it(`replay: ${what}`, async ({ dir }) => {
      const path = await make(dir);
      const hashable = what !== 'a missing file' && what !== 'a directory';
      const result = hashable
        ? await readOnly(['replay', path], path, dir)
        : await runCli(['replay', path], dir);
      expect(result.code, result.stderr).toBe(1);
      expect(result.stdout).toBe('');
      expect(oneLineError(result)).toMatch(message);
      const json = hashable
        ? await readOnly(['replay', path, '--json'], path, dir)
        : await runCli(['replay', path, '--json'], dir);
      expect(json.code, json.stderr).toBe(1);
      expect(json.stdout).toBe('');
      expect(oneLineError(json)).toMatch(message);
    });
  }
});

describe('contextlog verify', () => {
  it('a sound file of each format: exit 0, one summary line', async ({ dir }) => {
    for (const name of ['session.jsonl', 'context.jsonl']) {
      const path = await fixture(dir, name);
      const result = await readOnly(['verify', path], path, dir);
      expect(result.code, `${name}: ${result.stderr}`).toBe(0);
      expect(result.stderr).toBe('');
      expect(result.stdout).toMatch(new RegExp(`^${escapeRegExp(path)}: sound \\(`));
      expect(result.stdout.trim().split('\n')).toHaveLength(1);
    }
  });

  const errors: [string, number, RegExp][] = [
    ['corrupt-middle.jsonl', 4, /error: /],
    ['seq-gap.jsonl', 6, /error: .*seq/],
    ['unknown-event.jsonl', 3, /error: .*metadata\.exploded/],
    ['context-malformed.jsonl', 3, /error: /],
  ];
  for (const [name, line, reason] of errors) {
    it(`${name}: FILE:${line}: error …, exit 1`, async ({ dir }) => {
      const path = await fixture(dir, name);
      const result = await readOnly(['verify', path], path, dir);
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toBe('');
      const lines = result.stdout.trim().split('\n');
      expect(lines[0]).toMatch(new RegExp(`^${escapeRegExp(path)}:${line}: `));
      expect(lines[0]).toMatch(reason);
      expect(lines.at(-1)).toMatch(/: 1 error/);
    });
  }

  it('a torn tail is a warning: exit 0', async ({ dir }) => {
    const path = await fixture(dir, 'torn-tail.jsonl');
    const result = await readOnly(['verify', path], path, dir);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^${escapeRegExp(path)}:8: warning: .*torn`, 'm'));
    expect(result.stdout).toMatch(/: sound, 1 warning/);
  });

  it("a live writer's lock is a warning: exit 0", async ({ dir }) => {
    const path = join(dir, 'live.jsonl');
    const engine = await openFileSession(path);
    try {
      await engine.appendMessages({ role: 'user', content: 'hello' });
      const result = await readOnly(['verify', path], path, dir);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(
        new RegExp(
          `^${escapeRegExp(path)}: warning: locked by live process ${process.pid} since .*: a writer may be appending while this reads$`,
          'm',
        ),
      );
    } finally {
      await engine.close();
    }
    const after = await runCli(['verify', path], dir);
    expect(after.stdout).not.toMatch(/locked/);
  });

  it('an empty file is sound', async ({ dir }) => {
    const path = join(dir, 'empty.jsonl');
    await writeFile(path, '');
    const result = await readOnly(['verify', path], path, dir);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/: sound \(/);
  });

  it('bad files: missing, a directory, binary: one line on stderr, exit 1', async ({ dir }) => {
    await mkdir(join(dir, 'adir'));
    await writeFile(join(dir, 'garbage.bin'), Buffer.from([0, 1, 2, 3, 0xff, 0xfe, 0]));
    for (const name of ['nope.jsonl', 'adir', 'garbage.bin']) {
      const result = await runCli(['verify', join(dir, name)], dir);
      expect(result.code, `${name}: ${result.stderr}`).toBe(1);
      expect(oneLineError(result)).toContain(name);
    }
  });
});

describe('a valid kimi-cli file with a raw NUL and an invalid byte in strings is not binary', () => {
  // kimi-cli's Python writer lets these through; fs-adapter's fixture documents what it reads.
  const QUIRKS = fileURLToPath(
    new URL('../../kimi/fixtures/python-json-quirks.jsonl', import.meta.url),
  );
  const EXPECTED = fileURLToPath(
    new URL('../../kimi/fixtures/python-json-quirks.expected.json', import.meta.url),
  );

  it('replay --lenient gives the expected state; verify lists the two lines kimi-cli skips', async ({
    dir,
  }) => {
    const path = join(dir, 'quirks.jsonl');
    await copyFile(QUIRKS, path);
    expect((await readFile(path)).includes(0)).toBe(true);
    const expected = JSON.parse(await readFile(EXPECTED, 'utf8')) as {
      state: { messages: unknown[]; systemPrompt: string; tokenCount: number; seq: number };
    };

    const replay = await readOnly(['replay', path, '--json', '--lenient'], path, dir);
    expect(replay.code, replay.stderr).toBe(0);
    const state = JSON.parse(replay.stdout) as Record<string, unknown>;
    expect(state.format).toBe('kimi');
    expect(state.messages).toEqual(expected.state.messages);
    expect(state.systemPrompt).toBe(expected.state.systemPrompt);
    expect(state.tokenCount).toBe(expected.state.tokenCount);
    expect(state.seq).toBe(expected.state.seq);

    // Strict replay stops at the first line kimi-cli would skip (line 6), as documented.
    const strict = await readOnly(['replay', path], path, dir);
    expect(strict.code, strict.stderr).toBe(1);
    expect(oneLineError(strict)).toMatch(/quirks\.jsonl:6\b/);

    const verify = await readOnly(['verify', path], path, dir);
    expect(verify.code, verify.stderr).toBe(1);
    expect(verify.stderr).toBe('');
    expect(verify.stdout).not.toMatch(/binary/);
    expect(verify.stdout).toMatch(/quirks\.jsonl:6: error: /);
    expect(verify.stdout).toMatch(/quirks\.jsonl:8: error: /);
    expect(verify.stdout).toMatch(/: 2 errors, 2 warnings \(kimi, /);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('kimi-cli numbers contextlog cannot keep as written, and counts past its range', () => {
  /** The fs-adapter's kimi fixture `name`, copied into `dir`, and what `verify` says of it. */
  async function verified(name: string, dir: string) {
    const path = join(dir, `${name}.jsonl`);
    const source = new URL(`../../kimi/fixtures/${name}.jsonl`, import.meta.url);
    await copyFile(fileURLToPath(source), path);
    return { path, verify: await readOnly(['verify', path], path, dir) };
  }

  it('a number that would change: verify lists it by line and field (exit 1), replay and import-kimi refuse it', async ({
    dir,
  }) => {
    const { path, verify } = await verified('numbers', dir);
    expect(verify.code, verify.stderr).toBe(1);
    expect(verify.stdout).toMatch(
      /numbers\.jsonl:3: error: tool_calls\[0\]\.extras\.n: the number 1\.0 cannot be kept as written: contextlog would hold and write it as 1,/,
    );
    expect(verify.stdout).toMatch(
      /numbers\.jsonl:5: error: x_id: the number 18446744073709551616 /,
    );
    expect(verify.stdout).toMatch(/numbers\.jsonl:6: error: w: the number -0\.0 /);
    expect(verify.stdout).toMatch(/: 4 errors \(kimi, /);

    const replay = await readOnly(['replay', path], path, dir);
    expect(replay.code).toBe(1);
    expect(oneLineError(replay)).toMatch(
      /numbers\.jsonl:3 \(byte \d+\): tool_calls\[0\]\.extras\.n: /,
    );
    const imported = await runCli(['import-kimi', path, join(dir, 'out.jsonl')], dir);
    expect(imported.code).toBe(1);
    expect(oneLineError(imported)).toMatch(/numbers\.jsonl:3\b.*the number 1\.0/);
    expect(existsSync(join(dir, 'out.jsonl'))).toBe(false);
  });

  it('counts past contextlog range: warnings naming the line, a strict import and an export of what it kept', async ({
    dir,
  }) => {
    const { path, verify } = await verified('usage-ints', dir);
    expect(verify.code, verify.stdout).toBe(0);
    expect(verify.stdout).toMatch(/ints\.jsonl:4: warning: token_count: -5 read as 0 /);
    expect(verify.stdout).toMatch(
      /ints\.jsonl:9: warning: token_count: 18446744073709551616 read as 9007199254740991 /,
    );
    expect(verify.stdout).toMatch(/: sound, 4 warnings \(kimi, /);

    const session = join(dir, 'session.jsonl');
    const imported = await runCli(['import-kimi', path, session], dir);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toMatch(/warning: \S*ints\.jsonl:5: id: true read as 1/);
    const snapshot = await runCli(['snapshot', session], dir);
    expect(snapshot.code, snapshot.stderr).toBe(0);
    const back = join(dir, 'back.jsonl');
    const exported = await runCli(['export-kimi', session, back], dir);
    expect(exported.code, exported.stderr).toBe(0);
    expect(await readFile(back, 'utf8')).toContain(
      '{"role": "_usage", "token_count": 9007199254740991}',
    );
  });
});
