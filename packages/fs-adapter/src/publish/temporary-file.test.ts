import { execFile } from 'node:child_process';
import { readdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect } from 'vitest';
import { defaultFileSystem } from '../fs/file-system.js';
import { processStartTime } from '../lock/process-identity.js';
import { it } from '../testing/vitest.js';
import { parseTemporaryName, removeDeadTemporaries, temporaryPathFor } from './temporary-file.js';

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const { stdout } = await promisify(execFile)(process.execPath, [
    '-e',
    'console.log(process.pid)',
  ]);
  return Number(stdout);
}

const name = (of: string, pid: number, host: string, start: string) =>
  `.${of}.${pid}@${encodeURIComponent(host)}.${start}.0123456789ab.tmp`;

describe('temporary file names', () => {
  it('name the writer as the lock does: pid, host, start time', async ({ dir }) => {
    const target = join(dir, 'a.b@c.jsonl');
    const path = await temporaryPathFor(target);
    expect(path.startsWith(join(dir, '.a.b@c.jsonl.'))).toBe(true);
    expect(parseTemporaryName(basename(path))).toEqual({
      of: 'a.b@c.jsonl',
      writer: {
        pid: process.pid,
        host: hostname(),
        startTime: await processStartTime(process.pid),
      },
    });
    expect(parseTemporaryName(name('x', 7, 'h.example/odd@host', '-'))).toEqual({
      of: 'x',
      writer: { pid: 7, host: 'h.example/odd@host' },
    });
    expect(parseTemporaryName('.x.12.0123456789ab.tmp')).toBeUndefined();
  });

  it('fit in a file name when the target name is long, and are still found as leftovers', async ({
    dir,
  }) => {
    const target = join(dir, `${'é'.repeat(120)}.jsonl`);
    const path = await temporaryPathFor(target);
    expect(Buffer.byteLength(basename(path))).toBeLessThanOrEqual(255);
    await writeFile(path, 'x');
    const dead = basename(path).replace(`.${process.pid}@`, `.${await deadPid()}@`);
    await writeFile(join(dir, dead), 'x');
    await removeDeadTemporaries(defaultFileSystem, target);
    expect(await readdir(dir)).toEqual([basename(path)]);
  });
});

describe('removeDeadTemporaries', () => {
  it("removes a dead writer's leftovers of the file and its lock, and nothing else", async ({
    dir,
  }) => {
    const target = join(dir, 's.jsonl');
    const dead = await deadPid();
    const own = await processStartTime(process.pid);
    const names = {
      dead: name('s.jsonl', dead, hostname(), '123'),
      deadLock: name('s.jsonl.lock', dead, hostname(), '-'),
      deadClaim: name('s.jsonl.lock.claim-00ff', dead, hostname(), '5'),
      // This process: alive, whatever it is doing with the file.
      live: basename(await temporaryPathFor(target)),
      // This pid with another start time is another process, long gone.
      reused: name('s.jsonl', process.pid, hostname(), `${Number(own ?? 0) + 1}`),
      // Another host cannot be checked: kept.
      otherHost: name('s.jsonl', dead, `not-${hostname()}`, '123'),
      // Another file's leftover, a file of the user's, an old-style name: not this target's.
      otherFile: name('t.jsonl', dead, hostname(), '123'),
      sibling: name('s.jsonl.bak', dead, hostname(), '123'),
      user: '.s.jsonl.notes.tmp',
      old: `.s.jsonl.${dead}.0123456789ab.tmp`,
    };
    for (const file of Object.values(names)) await writeFile(join(dir, file), 'x');
    await removeDeadTemporaries(defaultFileSystem, target);
    const kept = new Set(await readdir(dir));
    const removed = ['dead', 'deadLock', 'deadClaim', 'reused'];
    for (const [what, file] of Object.entries(names)) {
      expect(kept.has(file), what).toBe(!removed.includes(what));
    }
  });

  it('never fails: a directory that cannot be read leaves everything as it is', async ({ dir }) => {
    await expect(
      removeDeadTemporaries(defaultFileSystem, join(dir, 'missing', 's.jsonl')),
    ).resolves.toEqual([]);
  });
});
