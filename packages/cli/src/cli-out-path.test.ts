import { execFile } from 'node:child_process';
import { lstat, readdir, readlink, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { TargetExistsError } from '@contextlog/fs-adapter';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { FileError } from './errors.js';
import { withForceFlag } from './input.js';
import { main } from './main.js';
import {
  fixture,
  oneLineError,
  replayJson,
  requireBuiltBin,
  runCli,
  withTempDir,
} from './test-support.test-helper.js';

beforeAll(requireBuiltBin);

const run = promisify(execFile);

/** The commands that write OUT, each with the fixture its IN is. */
const WRITERS: readonly [string, string][] = [
  ['fork', 'session.jsonl'],
  ['import-kimi', 'context.jsonl'],
  ['export-kimi', 'session.jsonl'],
  ['copy', 'session.jsonl'],
];

describe('OUT a FIFO or a device: refused even with --force, left as it is', () => {
  it('fork, import-kimi, export-kimi, copy', () =>
    withTempDir(async (dir) => {
      await fixture(dir, 'session.jsonl');
      await fixture(dir, 'context.jsonl');
      // Made inside the temporary directory: never a real /dev node.
      await run('mkfifo', [join(dir, 'fifo')]);
      await run('mknod', [join(dir, 'device'), 'c', '1', '3']);
      const runs = WRITERS.flatMap(([command, input]) =>
        ['fifo', 'device'].flatMap((out) =>
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
      expect((await lstat(join(dir, 'device'))).isCharacterDevice()).toBe(true);
      expect((await readdir(dir)).sort()).toEqual([
        'context.jsonl',
        'device',
        'fifo',
        'session.jsonl',
      ]);
    }));
});

describe('OUT ending in /: refused as given, nothing created', () => {
  it('fork, import-kimi, export-kimi, copy; a relative and an absolute OUT', () =>
    withTempDir(async (dir) => {
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
    }));
});

describe('OUT a dangling symbolic link', () => {
  it('refused in command-line terms (--force where there is one), replaced with --force', () =>
    withTempDir(async (dir) => {
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
    }));

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

/** Runs the command line in this process (so a test can stand in for the serializer). */
async function runInProcess(args: readonly string[]) {
  let stdout = '';
  let stderr = '';
  const sink = (write: (text: string) => void) =>
    new Writable({
      write(chunk, _encoding, done) {
        write(String(chunk));
        done();
      },
    });
  const code = await main(args, {
    stdout: sink((text) => {
      stdout += text;
    }),
    stderr: sink((text) => {
      stderr += text;
    }),
  });
  return { code, stdout, stderr, signal: null };
}

describe('a state too large to snapshot as one line', () => {
  it('snapshot and fork: one line with the size, exit 1, no stack trace', () =>
    withTempDir(async (dir) => {
      const path = await fixture(dir, 'session.jsonl');
      const stringify = JSON.stringify;
      // V8's RangeError past ~512 MiB, thrown for the snapshot event as for a state that large.
      const spy = vi.spyOn(JSON, 'stringify').mockImplementation(((...args: unknown[]) => {
        if ((args[0] as { type?: unknown } | null)?.type === 'state.snapshotted') {
          throw new RangeError('Invalid string length');
        }
        return Reflect.apply(stringify, JSON, args);
      }) as typeof JSON.stringify);
      try {
        for (const args of [
          ['snapshot', path],
          ['fork', path, join(dir, 'fork.jsonl')],
        ]) {
          const result = await runInProcess(args);
          expect(result.code, result.stderr).toBe(1);
          expect(oneLineError(result)).toMatch(
            /^contextlog: \S+: the state is too large to snapshot as one line: its JSON is \d+ characters \(\d+\.\d MiB\), past the \d+-character \(\d+\.\d MiB\) limit of one JavaScript string; nothing was written$/,
          );
        }
      } finally {
        spy.mockRestore();
      }
      expect((await readdir(dir)).sort()).toEqual(['session.jsonl']);
    }));
});
