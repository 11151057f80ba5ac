import { existsSync } from 'node:fs';
import { link, mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openFileSession } from '@contextlog/fs-adapter';
import { describe, expect } from 'vitest';
import { KIMI_STATE, SESSION_STATE_AS_KIMI } from './expected-states.test-helper.js';
import {
  fixture,
  it,
  oneLineError,
  replayJson,
  runCli,
  sha256,
} from './test-support.test-helper.js';

describe('contextlog import-kimi', () => {
  it('writes a contextlog session with the kimi-cli file state; IN unchanged', async ({ dir }) => {
    const input = await fixture(dir, 'context.jsonl');
    const output = join(dir, 'imported.jsonl');
    const before = await sha256(input);
    const result = await runCli(['import-kimi', input, output], dir);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(`imported ${input} into ${output}: 8 events, 3 messages, seq 8\n`);
    expect(await sha256(input)).toBe(before);
    expect(await replayJson(output, dir)).toEqual({ ...KIMI_STATE, format: 'contextlog' });
  });

  it('refuses an existing OUT unless --force (OUT unchanged), and replaces it with --force', async ({
    dir,
  }) => {
    const input = await fixture(dir, 'context.jsonl');
    const output = await fixture(dir, 'session.jsonl', 'existing.jsonl');
    const before = await sha256(output);
    const refused = await runCli(['import-kimi', input, output], dir);
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stdout).toBe('');
    expect(oneLineError(refused)).toMatch(/existing\.jsonl: already exists \(use --force/);
    expect(await sha256(output)).toBe(before);

    const forced = await runCli(['import-kimi', input, output, '--force'], dir);
    expect(forced.code, forced.stderr).toBe(0);
    expect(await replayJson(output, dir)).toEqual({ ...KIMI_STATE, format: 'contextlog' });
  });

  it('refuses to replace a session a live writer holds, even with --force', async ({ dir }) => {
    const input = await fixture(dir, 'context.jsonl');
    const output = join(dir, 'live.jsonl');
    const engine = await openFileSession(output);
    try {
      await engine.appendMessages({ role: 'user', content: 'mine' });
      const before = await sha256(output);
      const result = await runCli(['import-kimi', input, output, '--force'], dir);
      expect(result.code, result.stderr).toBe(1);
      expect(oneLineError(result)).toMatch(new RegExp(`locked by live process ${process.pid}\\b`));
      expect(await sha256(output)).toBe(before);
    } finally {
      await engine.close();
    }
  });

  it('a malformed kimi-cli line: strict refuses (nothing written), --lenient skips it', async ({
    dir,
  }) => {
    const input = await fixture(dir, 'context-malformed.jsonl');
    const output = join(dir, 'out.jsonl');
    const strict = await runCli(['import-kimi', input, output], dir);
    expect(strict.code, strict.stderr).toBe(1);
    expect(oneLineError(strict)).toMatch(/context-malformed\.jsonl:3\b/);
    expect(existsSync(output)).toBe(false);
    expect((await readdir(dir)).sort()).toEqual(['context-malformed.jsonl']);

    const lenient = await runCli(['import-kimi', input, output, '--lenient'], dir);
    expect(lenient.code, lenient.stderr).toBe(0);
    expect(lenient.stderr).toMatch(/^contextlog: skipped .*context-malformed\.jsonl:3: /);
    const state = await replayJson(output, dir);
    expect(state.messages).toEqual(KIMI_STATE.messages.slice(1));
  });

  it('bad inputs: missing IN, IN a directory, IN not a kimi-cli file, OUT a directory', async ({
    dir,
  }) => {
    await mkdir(join(dir, 'adir'));
    const session = await fixture(dir, 'session.jsonl');
    const kimi = await fixture(dir, 'context.jsonl');
    const cases: [string[], RegExp][] = [
      [[join(dir, 'nope.jsonl'), join(dir, 'o1.jsonl')], /nope\.jsonl: no such file/],
      [[join(dir, 'adir'), join(dir, 'o2.jsonl')], /adir: is a directory/],
      [[session, join(dir, 'o3.jsonl')], /session\.jsonl:1\b/],
      [[kimi, join(dir, 'adir')], /adir: is a directory/],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(['import-kimi', ...args], dir);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(1);
      expect(oneLineError(result)).toMatch(message);
    }
    expect((await readdir(dir)).sort()).toEqual(['adir', 'context.jsonl', 'session.jsonl']);
  });
});

describe('contextlog export-kimi', () => {
  it('writes a kimi-cli file that restores to the same state; metadata dropped with a warning', async ({
    dir,
  }) => {
    const input = await fixture(dir, 'session.jsonl');
    const output = join(dir, 'context.jsonl');
    const before = await sha256(input);
    const result = await runCli(['export-kimi', input, output], dir);
    expect(result.code, result.stderr).toBe(0);
    expect(oneLineError(result)).toMatch(/^contextlog: warning: metadata dropped.*"model"/);
    expect(result.stdout).toMatch(
      /^exported .*session\.jsonl \(contextlog\) to .*context\.jsonl: \d+ lines, 4 messages\n$/,
    );
    expect(await sha256(input)).toBe(before);
    const { seq: _seq, ...exported } = await replayJson(output, dir);
    const { seq: _expectedSeq, ...expected } = SESSION_STATE_AS_KIMI;
    expect(exported).toEqual(expected);
  });

  it('round trip: import-kimi then export-kimi gives back the kimi-cli state', async ({ dir }) => {
    const kimi = await fixture(dir, 'context.jsonl');
    const session = join(dir, 'session.jsonl');
    const back = join(dir, 'back.jsonl');
    const imported = await runCli(['import-kimi', kimi, session], dir);
    expect(imported.code, imported.stderr).toBe(0);
    const exported = await runCli(['export-kimi', session, back], dir);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stderr).toBe('');
    expect(await replayJson(back, dir)).toEqual(KIMI_STATE);
  });

  it('refuses an existing OUT unless --force; a corrupt IN is refused with nothing written', async ({
    dir,
  }) => {
    const input = await fixture(dir, 'session.jsonl');
    const output = join(dir, 'out.jsonl');
    await writeFile(output, 'keep me\n');
    const before = await sha256(output);
    const refused = await runCli(['export-kimi', input, output], dir);
    expect(refused.code, refused.stderr).toBe(1);
    expect(oneLineError(refused)).toMatch(/out\.jsonl: already exists/);
    expect(await sha256(output)).toBe(before);
    const forced = await runCli(['export-kimi', input, output, '--force'], dir);
    expect(forced.code, forced.stderr).toBe(0);

    const corrupt = await fixture(dir, 'corrupt-middle.jsonl');
    const target = join(dir, 'never.jsonl');
    const result = await runCli(['export-kimi', corrupt, target], dir);
    expect(result.code, result.stderr).toBe(1);
    expect(oneLineError(result)).toMatch(/corrupt-middle\.jsonl:4\b/);
    expect((await readdir(dir)).sort()).toEqual([
      'corrupt-middle.jsonl',
      'out.jsonl',
      'session.jsonl',
    ]);
  });
});

describe('OUT is IN under another name: refused even with --force, IN unchanged', () => {
  const commands: [string, string][] = [
    ['export-kimi', 'session.jsonl'],
    ['fork', 'session.jsonl'],
    ['import-kimi', 'context.jsonl'],
  ];
  for (const [command, name] of commands) {
    it(`${command}: the same path, ./path, a symlink, a hard link`, async ({ dir }) => {
      const input = await fixture(dir, name);
      await symlink(input, join(dir, 'sym.jsonl'));
      await link(input, join(dir, 'hard.jsonl'));
      const before = await sha256(input);
      const outs = [input, `./${name}`, 'sym.jsonl', 'hard.jsonl'];
      for (const output of outs) {
        for (const force of [[], ['--force']]) {
          const result = await runCli([command, input, output, ...force], dir);
          expect(result.code, `${output} ${force}: ${result.stderr}`).toBe(1);
          expect(result.stdout).toBe('');
          expect(oneLineError(result)).toMatch(
            /is the same file as .*\(OUT must be another file\)/,
          );
          expect(await sha256(input)).toBe(before);
        }
      }
      expect((await readdir(dir)).sort()).toEqual(['hard.jsonl', name, 'sym.jsonl'].sort());
    });
  }
});

describe('OUT in a directory that does not exist', () => {
  it('names the missing directory, not an internal temporary file; nothing written', async ({
    dir,
  }) => {
    const kimi = await fixture(dir, 'context.jsonl');
    const session = await fixture(dir, 'session.jsonl');
    const cases: [string[], RegExp][] = [
      [
        ['import-kimi', kimi, 'nodir/o.jsonl'],
        /^contextlog: nodir\/o\.jsonl: no such directory nodir$/,
      ],
      [
        ['export-kimi', session, 'nodir/o.jsonl'],
        /^contextlog: nodir\/o\.jsonl: no such directory nodir$/,
      ],
      [['fork', session, 'a/b/o.jsonl'], /^contextlog: a\/b\/o\.jsonl: no such directory a\/b$/],
      [
        ['copy', session, 'nodir/o.jsonl'],
        /^contextlog: nodir\/o\.jsonl: no such directory nodir$/,
      ],
      [['import-kimi', kimi, 'session.jsonl/o.jsonl'], /session\.jsonl is not a directory$/],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(args, dir);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(1);
      expect(oneLineError(result)).toMatch(message);
      expect(result.stderr).not.toMatch(/tmp|lock/);
    }
    expect((await readdir(dir)).sort()).toEqual(['context.jsonl', 'session.jsonl']);
  });
});
