import { appendFile, link, mkdir, readdir, readFile, stat, symlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { type StoredEvent, stateToJson } from '@contextlog/core';
import { describe, expect } from 'vitest';
import { readSessionFile } from '../read/read-session-file.js';
import { forkSession } from '../rewrite/fork-session.js';
import { faultyFileSystem } from '../testing/temp-dir.js';
import { it } from '../testing/vitest.js';
import { openFileStore } from './file-store.js';
import { openFileSession } from './open-session.js';

const user = (content: string) => ({ role: 'user' as const, content });

describe('one writer per file, whatever its name', () => {
  it('refuses a second writer that comes through a symlink to the file or to its directory', async ({
    dir,
  }) => {
    const path = join(dir, 's.jsonl');
    const engine = await openFileSession(path);
    await symlink(path, join(dir, 'link.jsonl'));
    await symlink(dir, join(dir, 'dirlink'));
    await expect(openFileSession(join(dir, 'link.jsonl'))).rejects.toMatchObject({
      code: 'SESSION_LOCKED',
      pid: process.pid,
    });
    await expect(openFileStore(join(dir, 'dirlink', 's.jsonl'))).rejects.toMatchObject({
      code: 'SESSION_LOCKED',
    });
    await engine.appendMessages(user('from a'));
    await engine.close();
    // Opened through the link once the writer is gone: the same session, its torn copies and
    // lock beside the real file.
    const again = await openFileSession(join(dir, 'link.jsonl'));
    expect(again.state.messages).toEqual([user('from a')]);
    await again.close();
    expect((await readdir(dir)).sort()).toEqual(['dirlink', 'link.jsonl', 's.jsonl']);
  });

  it('never writes over bytes it did not write: a hard-linked second writer stops', async ({
    dir,
  }) => {
    const path = join(dir, 's.jsonl');
    const a = await openFileSession(path);
    await link(path, join(dir, 'hard.jsonl'));
    // Hard links are two names with two locks: the size check is what protects the file.
    const b = await openFileSession(join(dir, 'hard.jsonl'));
    await a.appendMessages(user('from a'));
    const error = await b.appendMessages(user('from b')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(String((error as Error).message)).toMatch(/changed under the writer: expected \d+/);
    await a.close();
    await b.close();
    const read = await readSessionFile(path);
    expect(read.diagnostics).toEqual([]);
    expect(read.state.messages).toEqual([user('from a')]);
  });

  it('refuses to append after another tool appended, leaving the foreign line intact', async ({
    dir,
  }) => {
    const path = join(dir, 's.jsonl');
    const store = await openFileStore(path);
    const at = new Date().toISOString();
    const event = (seq: number): StoredEvent => ({
      seq,
      v: 1,
      at,
      type: 'usage.recorded',
      data: { tokenCount: seq },
    });
    await store.append([event(1)], { expectedSeq: 0 });
    const foreign = `{"some":"foreign line ${'x'.repeat(400)}"}\n`;
    await appendFile(path, foreign);
    const before = await readFile(path);
    await expect(store.append([event(2)], { expectedSeq: 1 })).rejects.toMatchObject({
      code: 'STORE_BROKEN',
      message: expect.stringContaining(
        `expected ${before.length - foreign.length} bytes, found ${before.length}`,
      ),
    });
    // Broken for good: a later append does not write either.
    await expect(store.append([event(2)], { expectedSeq: 1 })).rejects.toMatchObject({
      code: 'STORE_BROKEN',
    });
    await store.close();
    expect(await readFile(path)).toEqual(before);
  });
});

describe('the header write', () => {
  it.for([
    ['write', 'ENOSPC'],
    ['sync', 'EIO'],
  ] as const)(
    'a failed header %s leaves an empty file that opens later',
    async ([kind, code], { dir }) => {
      const path = join(dir, 's.jsonl');
      let armed = true;
      const fs = faultyFileSystem((call, _, at) => {
        if (!armed || call !== kind || at !== path) return undefined;
        armed = false;
        return code;
      });
      await expect(openFileStore(path, { fs })).rejects.toMatchObject({ code });
      expect((await stat(path)).size).toBe(0);
      expect((await readSessionFile(path)).state.seq).toBe(0);
      const engine = await openFileSession(path);
      await engine.appendMessages(user('hi'));
      await engine.close();
      expect((await readSessionFile(path)).state.messages).toEqual([user('hi')]);
      expect((await readdir(dir)).sort()).toEqual(['s.jsonl']);
    },
  );

  it('says the store is broken when the half header cannot be truncated away either', async ({
    dir,
  }) => {
    const path = join(dir, 's.jsonl');
    const fs = faultyFileSystem((call, _, at) =>
      at === path && (call === 'write' || call === 'truncate') ? 'EIO' : undefined,
    );
    await expect(openFileStore(path, { fs })).rejects.toMatchObject({
      code: 'STORE_BROKEN',
      message: expect.stringContaining('writing the header failed'),
    });
    // What a crash during the header write leaves: a torn line, kept aside on the next open.
    const torn = await readSessionFile(path);
    expect(torn.state.seq).toBe(0);
    expect(torn.diagnostics).toEqual([expect.objectContaining({ severity: 'warning', line: 1 })]);
    const store = await openFileStore(path);
    expect(store.tornTailPath).toBe(`${path}.torn-0`);
    await store.close();
    expect((await readSessionFile(path)).diagnostics).toEqual([]);
  });
});

describe('files left behind', () => {
  async function tornSession(dir: string): Promise<string> {
    const path = join(dir, 's.jsonl');
    const engine = await openFileSession(path);
    await engine.appendMessages(user('kept'));
    await engine.close();
    await appendFile(path, '{"seq":2,"v":1,"at":"torn');
    return path;
  }

  it('a failed torn-tail copy leaves no partial copy', async ({ dir }) => {
    const path = await tornSession(dir);
    const fs = faultyFileSystem((call, _, at) =>
      call === 'write' && at.includes('.torn-') ? 'ENOSPC' : undefined,
    );
    await expect(openFileStore(path, { fs })).rejects.toMatchObject({ code: 'ENOSPC' });
    expect((await readdir(dir)).sort()).toEqual(['s.jsonl']);
  });

  it('a retry after a failed repair reuses its torn-tail copy instead of adding another', async ({
    dir,
  }) => {
    const path = await tornSession(dir);
    const fs = faultyFileSystem((call, _, at) =>
      call === 'truncate' && at === path ? 'EIO' : undefined,
    );
    await expect(openFileStore(path, { fs })).rejects.toMatchObject({ code: 'EIO' });
    await expect(openFileStore(path, { fs })).rejects.toMatchObject({ code: 'EIO' });
    const store = await openFileStore(path);
    const names = (await readdir(dir)).filter((name) => name.includes('.torn-'));
    expect(names).toEqual([basename(store.tornTailPath ?? '')]);
    await store.close();
    expect(await readFile(join(dir, names[0] ?? ''), 'utf8')).toBe('{"seq":2,"v":1,"at":"torn');
  });

  it('a failed write of the lock leaves no temporary file', async ({ dir }) => {
    const path = join(dir, 's.jsonl');
    const fs = faultyFileSystem((call, _, at) =>
      call === 'write' && at.endsWith('.tmp') ? 'ENOSPC' : undefined,
    );
    await expect(openFileStore(path, { fs })).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(await readdir(dir)).toEqual([]);
  });

  it('a failed write of a rewritten session leaves no temporary file', async ({ dir }) => {
    const source = join(dir, 's.jsonl');
    const engine = await openFileSession(source);
    await engine.appendMessages(user('x'));
    await engine.close();
    const fs = faultyFileSystem((call, _, at) =>
      call === 'write' && basename(at).startsWith('.') ? 'ENOSPC' : undefined,
    );
    await expect(forkSession(source, join(dir, 'fork.jsonl'), { fs })).rejects.toMatchObject({
      code: 'ENOSPC',
    });
    expect(await readdir(dir)).toEqual(['s.jsonl']);
  });
});

describe('undoing a failed append', () => {
  it('says which step failed: the fsync after a successful truncate', async ({ dir }) => {
    const path = join(dir, 's.jsonl');
    let armed = false;
    const fs = faultyFileSystem((call, _, at) =>
      armed && at === path && (call === 'write' || call === 'sync') ? 'EIO' : undefined,
    );
    const engine = await openFileSession(path, { fs });
    await engine.appendMessages(user('one'));
    const state = stateToJson(engine.state);
    armed = true;
    const error = (await engine.appendMessages(user('two')).catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ code: 'STORE_BROKEN' });
    expect(error.message).toContain('after truncating back, the fsync');
    expect(error.message).not.toContain('and truncating back to byte');
    expect(stateToJson(engine.state)).toEqual(state);
    await engine.close();
  });
});

describe('a path that is not a file', () => {
  it('refuses a directory with NOT_A_FILE naming the path, creating nothing', async ({ dir }) => {
    const sub = join(dir, 'sessions');
    await mkdir(sub);
    await expect(openFileStore(sub)).rejects.toMatchObject({ code: 'NOT_A_FILE', path: sub });
    await expect(openFileSession(sub)).rejects.toMatchObject({ code: 'NOT_A_FILE', path: sub });
    await expect(readSessionFile(sub)).rejects.toMatchObject({ code: 'NOT_A_FILE', path: sub });
    expect(await readdir(dir)).toEqual(['sessions']);
  });
});
