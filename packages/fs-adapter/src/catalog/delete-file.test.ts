import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { headerLine } from '../format/header.js';
import { lockPathOf } from '../lock/session-lock.js';
import { notesFormat } from '../read/notes-format.test-helper.js';
import { openFileStore } from '../store/file-store.js';
import { openFileSession } from '../store/open-session.js';
import { sha256, tempDir } from '../testing/temp-dir.js';
import { deleteFileSession } from './delete-file.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(async () => {
  await cleanup();
});

const at = '2026-01-01T00:00:00.000Z';

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const { stdout } = await promisify(execFile)(process.execPath, [
    '-e',
    'console.log(process.pid)',
  ]);
  return Number(stdout);
}

async function session(name: string): Promise<string> {
  const path = join(dir, name);
  const engine = await openFileSession(path);
  await engine.appendMessages({ role: 'user', content: 'hello' });
  await engine.close();
  return path;
}

describe('deleteFileSession', () => {
  it("removes a session and its dead writers' leftovers, keeps its torn tails and says so", async () => {
    const path = await session('s.jsonl');
    const dead = await deadPid();
    const owner = JSON.stringify({ pid: dead, host: hostname(), nonce: 'n', createdAt: at });
    // A stale lock, a claim and temporary files of writers that died, and a kept-aside torn tail.
    await writeFile(lockPathOf(path), owner);
    await writeFile(`${lockPathOf(path)}.claim-0123`, owner);
    const temporary = join(dir, `.s.jsonl.${dead}@${hostname()}.-.0123456789ab.tmp`);
    const lockTemporary = join(dir, `.s.jsonl.lock.${dead}@${hostname()}.-.0123456789ab.tmp`);
    await writeFile(temporary, 'x');
    await writeFile(lockTemporary, 'x');
    await writeFile(`${path}.torn-40`, '{"seq"');
    // Another session's files are not its leftovers.
    const other = await session('s2.jsonl');
    const otherTemporary = join(dir, `.s2.jsonl.${dead}@${hostname()}.-.0123456789ab.tmp`);
    await writeFile(otherTemporary, 'x');
    const bytes = (await readFile(path)).length;

    const result = await deleteFileSession(path);
    expect(result.path).toBe(path);
    expect(result.bytes).toBe(bytes);
    expect([...result.removed].sort()).toEqual(
      [temporary, lockTemporary, `${lockPathOf(path)}.claim-0123`].sort(),
    );
    expect(result.keptAside).toEqual([`${path}.torn-40`]);
    expect((await readdir(dir)).sort()).toEqual(
      ['s.jsonl.torn-40', 's2.jsonl', otherTemporary.slice(dir.length + 1)].sort(),
    );
    expect(await readFile(other, 'utf8')).toContain('hello');
  });

  it('refuses a session a live writer holds, changing nothing', async () => {
    const path = await session('live.jsonl');
    const before = await sha256(path);
    const store = await openFileStore(path);
    try {
      await expect(deleteFileSession(path)).rejects.toMatchObject({
        code: 'SESSION_LOCKED',
        pid: process.pid,
      });
      expect(await sha256(path)).toBe(before);
      // The writer goes on: its lock and file are still its own.
      await store.append([{ seq: 2, type: 'usage.recorded', v: 1, at, data: { tokenCount: 1 } }], {
        expectedSeq: 1,
      });
    } finally {
      await store.close();
    }
    await deleteFileSession(path);
    expect(await readdir(dir)).toEqual([]);
  });

  it('leaves a path a new writer opens as a new, empty session', async () => {
    const path = await session('again.jsonl');
    await deleteFileSession(path);
    const engine = await openFileSession(path);
    expect(engine.state.seq).toBe(0);
    await engine.close();
  });

  it('removes an empty file, a torn header and a corrupt session: each is a contextlog session', async () => {
    const files = {
      'empty.jsonl': '',
      'torn.jsonl': '{"format":"cont',
      'corrupt.jsonl': `${headerLine(at)}not json\n`,
      'newer.jsonl': '{"format":"contextlog","version":9}\n',
    };
    for (const [name, content] of Object.entries(files)) {
      await writeFile(join(dir, name), content);
      await deleteFileSession(join(dir, name));
    }
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses what is not a contextlog session, naming its format when it knows it', async () => {
    const kimi = join(dir, 'context.jsonl');
    await writeFile(kimi, '{"role":"user","content":"hi"}\n');
    await expect(deleteFileSession(kimi)).rejects.toMatchObject({
      code: 'NOT_A_SESSION',
      message: `${kimi} is not a contextlog session: its first line is not a contextlog header; nothing was deleted`,
    });
    const notes = join(dir, 'notes.jsonl');
    await writeFile(notes, '{"note":"a"}\n');
    await expect(deleteFileSession(notes, { formats: [notesFormat] })).rejects.toMatchObject({
      code: 'NOT_A_SESSION',
      reason: 'it is a notes file',
    });
    // Events without their header: a store refuses the file, and so does a delete.
    const headless = join(dir, 'headless.jsonl');
    await writeFile(headless, `{"seq":1,"type":"context.cleared","v":1,"at":"${at}","data":{}}\n`);
    await expect(deleteFileSession(headless)).rejects.toMatchObject({ code: 'NOT_A_SESSION' });
    expect((await readdir(dir)).sort()).toEqual(['context.jsonl', 'headless.jsonl', 'notes.jsonl']);
  });

  it('never follows a symbolic link: the link and its target stay', async () => {
    const target = await session('target.jsonl');
    const before = await sha256(target);
    const link = join(dir, 'link.jsonl');
    await symlink(target, link);
    await expect(deleteFileSession(link)).rejects.toMatchObject({
      code: 'NOT_A_SESSION',
      message: expect.stringContaining(`it is a symbolic link to ${target}`),
    });
    expect(await sha256(link)).toBe(before);
    expect((await readdir(dir)).sort()).toEqual(['link.jsonl', 'target.jsonl']);
  });

  it('refuses a missing path and a directory with typed errors', async () => {
    await expect(deleteFileSession(join(dir, 'missing.jsonl'))).rejects.toMatchObject({
      code: 'SESSION_NOT_FOUND',
    });
    await mkdir(join(dir, 'folder.jsonl'));
    await expect(deleteFileSession(join(dir, 'folder.jsonl'))).rejects.toMatchObject({
      code: 'NOT_A_FILE',
    });
    await expect(deleteFileSession(`${dir}/`)).rejects.toMatchObject({ code: 'NOT_A_FILE' });
    expect(await readdir(dir)).toEqual(['folder.jsonl']);
  });
});
