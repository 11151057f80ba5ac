import { execFile } from 'node:child_process';
import { lstat, readdir, readlink, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TargetExistsError } from '@contextlog/fs-adapter';
import { describe, expect } from 'vitest';
import { FileError } from './errors.js';
import { withForceFlag } from './input.js';
import { fixture, it, oneLineError, replayJson, runCli } from './test-support.test-helper.js';

const run = promisify(execFile);
// Making a device node needs root (CAP_MKNOD): run as another user (the README's test command
// works without root), the test checks the FIFO alone.
const ROOT = process.getuid?.() === 0;

/** The commands that write OUT, each with the fixture its IN is. */
const WRITERS: readonly [string, string][] = [
  ['fork', 'session.jsonl'],
  ['import-kimi', 'context.jsonl'],
  ['export-kimi', 'session.jsonl'],
  ['copy', 'session.jsonl'],
];

describe('OUT a FIFO or a device: refused even with --force, left as it is', () => {
  it('fork, import-kimi, export-kimi, copy', async ({ dir }) => {
    await fixture(dir, 'session.jsonl');
    await fixture(dir, 'context.jsonl');
    // Made inside the temporary directory: never a real /dev node.
    await run('mkfifo', [join(dir, 'fifo')]);
    if (ROOT) await run('mknod', [join(dir, 'device'), 'c', '1', '3']);
    const specials = ROOT ? ['device', 'fifo'] : ['fifo'];
    const runs = WRITERS.flatMap(([command, input]) =>
      specials.flatMap((out) =>
        (command === 'copy' ? [[]] : [[], ['--force']]).map((force) => [
          command,
          input,
          out,
          ...force,
        ]),
      ),
    );
    const results = await Promise.all(runs.map((args) => runCli(args, dir)));
    results.forEach((result, i) => {
      const out = runs[i]?.[2];
      expect(result.code, `${runs[i]?.join(' ')}: ${result.stderr}`).toBe(1);
      expect(oneLineError(result)).toBe(
        `contextlog: ${out}: is not a regular file (a device, FIFO or socket); not replacing it`,
      );
    });
    expect((await lstat(join(dir, 'fifo'))).isFIFO()).toBe(true);
    if (ROOT) expect((await lstat(join(dir, 'device'))).isCharacterDevice()).toBe(true);
    expect((await readdir(dir)).sort()).toEqual(['context.jsonl', ...specials, 'session.jsonl']);
  });
});

describe('OUT ending in /: refused as given, nothing created', () => {
  it('fork, import-kimi, export-kimi, copy; a relative and an absolute OUT', async ({ dir }) => {
    await fixture(dir, 'session.jsonl');
    await fixture(dir, 'context.jsonl');
    const runs = WRITERS.flatMap(([command, input]) => [
      [command, input, 'newdir/'],
      [command, input, `${dir}/newdir/`],
    ]);
    const results = await Promise.all(runs.map((args) => runCli(args, dir)));
    results.forEach((result, i) => {
      const out = runs[i]?.[2];
      expect(result.code, `${runs[i]?.join(' ')}: ${result.stderr}`).toBe(1);
      expect(oneLineError(result)).toBe(
        `contextlog: ${out}: ends in /, so it names a directory: OUT must be a file name`,
      );
    });
    expect((await readdir(dir)).sort()).toEqual(['context.jsonl', 'session.jsonl']);
  });
});

describe('OUT a dangling symbolic link', () => {
  it('refused in command-line terms (--force where there is one), replaced with --force', async ({
    dir,
  }) => {
    await fixture(dir, 'session.jsonl');
    await fixture(dir, 'context.jsonl');
    await symlink('nowhere.jsonl', join(dir, 'link.jsonl'));
    const results = await Promise.all(
      WRITERS.map(([command, input]) => runCli([command, input, 'link.jsonl'], dir)),
    );
    results.forEach((result, i) => {
      const command = WRITERS[i]?.[0];
      expect(result.code, `${command}: ${result.stderr}`).toBe(1);
      expect(oneLineError(result)).toBe(
        command === 'copy'
          ? 'contextlog: link.jsonl: is a symbolic link to nowhere.jsonl, which does not exist (copy writes only into a new or empty file)'
          : 'contextlog: link.jsonl: already exists (a symbolic link to nowhere.jsonl, which does not exist: use --force to replace it)',
      );
    });
    expect(await readlink(join(dir, 'link.jsonl'))).toBe('nowhere.jsonl');
    const forced = await runCli(['fork', 'session.jsonl', 'link.jsonl', '--force'], dir);
    expect(forced.code, forced.stderr).toBe(0);
    expect((await lstat(join(dir, 'link.jsonl'))).isFile()).toBe(true);
    expect((await replayJson('link.jsonl', dir)).seq).toBe(2);
  });

  it("the library's refusal, when it comes first, is said with the flag", async () => {
    const refusal = new TargetExistsError('o.jsonl', 'a symbolic link to x, which does not exist');
    const error = await withForceFlag(Promise.reject(refusal)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FileError);
    expect((error as Error).message).toBe(
      'o.jsonl: already exists (a symbolic link to x, which does not exist: use --force to replace it)',
    );
    const plain = await withForceFlag(Promise.reject(new TargetExistsError('o.jsonl'))).catch(
      (e: unknown) => e,
    );
    expect((plain as Error).message).toBe('o.jsonl: already exists (use --force to replace it)');
  });
});
