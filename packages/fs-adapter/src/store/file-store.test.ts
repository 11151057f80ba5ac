import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  ContextBrokenError,
  type ContextEngine,
  createContext,
  hasCode,
  type StoredEvent,
  stateToJson,
} from '@contextlog/core';
import { describe, expect } from 'vitest';
import { SessionLockedError } from '../errors.js';
import { defaultFileSystem, type FileSystem, opensDurableWrites } from '../fs/file-system.js';
import { lockPathOf } from '../lock/session-lock.js';
import { notesFormat } from '../read/notes-format.test-helper.js';
import { readSessionFile } from '../read/read-session-file.js';
import { forkSession } from '../rewrite/fork-session.js';
import { snapshotSessionFile } from '../rewrite/snapshot-session-file.js';
import { faultyFileSystem, sha256 } from '../testing/temp-dir.js';
import { it } from '../testing/vitest.js';
import { openFileStore } from './file-store.js';
import { openFileSession } from './open-session.js';

const user = (content: string) => ({ role: 'user' as const, content });

async function fill(engine: ContextEngine): Promise<void> {
  await engine.setSystemPrompt('be brief');
  await engine.appendMessages([user('hello 你好 😀'), { role: 'assistant', content: 'hi' }]);
  await engine.checkpoint({ addUserMessage: true });
  await engine.recordUsage(42);
  await engine.setMetadata('k', { a: [1, 'two', null] });
}

async function deadPid(): Promise<number> {
  const { stdout } = await promisify(execFile)(process.execPath, [
    '-e',
    'console.log(process.pid)',
  ]);
  return Number(stdout.trim());
}

describe('openFileStore / openFileSession', () => {
  it('writes a header, appends events as lines, and reopens to the same state', async ({ dir }) => {
    const path = join(dir, 's.jsonl');
    const engine = await openFileSession(path);
    await fill(engine);
    const live = stateToJson(engine.state);
    await engine.close();
    const lines = (await readFile(path, 'utf8')).split('\n');
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ format: 'contextlog', version: 1 });
    expect(lines.at(-1)).toBe('');
    expect(lines.slice(1, -1).map((line) => JSON.parse(line).seq)).toEqual([1, 2, 3, 4, 5]);
    const again = await openFileSession(path);
    expect(stateToJson(again.state)).toEqual(live);
    await again.appendMessages(user('more'));
    expect(again.state.seq).toBe(6);
    await again.close();
    expect(stateToJson((await readSessionFile(path)).state)).toEqual(stateToJson(again.state));
  });

  it('treats an empty file as an empty session and gives it a header', async ({ dir }) => {
    const path = join(dir, 'empty.jsonl');
    await writeFile(path, '');
    const store = await openFileStore(path);
    expect(await store.lastSeq()).toBe(0);
    const loaded: StoredEvent[] = [];
    for await (const event of store.load()) loaded.push(event);
    expect(loaded).toEqual([]);
    await store.close();
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ format: 'contextlog' });
  });

  it("with 'os' durability appends without fsync", async ({ dir }) => {
    const path = join(dir, 'os.jsonl');
    let syncs = 0;
    const fs = faultyFileSystem((call) => {
      if (call === 'sync') syncs++;
      return undefined;
    });
    const engine = await openFileSession(path, { durability: 'os', fs });
    const before = syncs;
    await fill(engine);
    // A write on an O_DSYNC handle counts as a sync too: 'os' sessions are opened without it.
    expect(syncs).toBe(before);
    await engine.close();
    expect((await readSessionFile(path)).state.seq).toBe(5);
  });

  it("with 'fsync' durability makes each append one durable write (O_DSYNC) or write + fsync", async ({
    dir,
  }) => {
    const path = join(dir, 'fsync.jsonl');
    const flags: Array<string | number> = [];
    let realSyncs = 0;
    // Under the faulty file system: what the store really asks of the file.
    const recording: FileSystem = {
      ...defaultFileSystem,
      async open(at, openFlags, mode) {
        const handle = await defaultFileSystem.open(at, openFlags, mode);
        if (at.endsWith('fsync.jsonl')) flags.push(openFlags);
        return {
          ...handle,
          sync: () => {
            realSyncs++;
            return handle.sync();
          },
        };
      },
    };
    const calls: string[] = [];
    const fs = faultyFileSystem((call) => {
      if (call === 'write' || call === 'sync') calls.push(call);
      return undefined;
    }, recording);
    const store = await openFileStore(path, { fs });
    const dsync = constants.O_DSYNC !== undefined;
    expect(flags.length).toBeGreaterThan(0);
    for (const opened of flags) expect(opensDurableWrites(opened)).toBe(dsync);
    calls.length = 0;
    realSyncs = 0;
    const at = new Date().toISOString();
    await store.append(
      [
        { seq: 1, v: 1, at, type: 'system_prompt.set', data: { prompt: 'p' } },
        { seq: 2, v: 1, at, type: 'usage.recorded', data: { tokenCount: 3 } },
      ],
      { expectedSeq: 0 },
    );
    // As the faulty file system counts them: the write, and its fsync (its flush with O_DSYNC).
    expect(calls).toEqual(['write', 'sync']);
    expect(realSyncs).toBe(dsync ? 0 : 1);
    await store.close();
  });

  it('splits a large batch into writes of at most ~100 KB', async ({ dir }) => {
    const path = join(dir, 'big.jsonl');
    const sizes: number[] = [];
    const fs = faultyFileSystem(() => undefined);
    const wrapped = {
      ...fs,
      async open(p: string, flags: string | number, mode?: number) {
        const handle = await fs.open(p, flags, mode);
        return {
          ...handle,
          read: handle.read,
          sync: handle.sync,
          truncate: handle.truncate,
          stat: handle.stat,
          close: handle.close,
          write: (b: Uint8Array, o: number, l: number, pos: number) => {
            sizes.push(l);
            return handle.write(b, o, l, pos);
          },
        };
      },
    };
    const engine = await openFileSession(path, { fs: wrapped });
    sizes.length = 0;
    await engine.appendMessages(Array.from({ length: 50 }, (_, i) => user(`${i}`.repeat(10_000))));
    expect(sizes.length).toBeGreaterThan(1);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(100 * 1024);
    await engine.close();
    expect((await readSessionFile(path)).state.messages).toHaveLength(50);
  });

  it('refuses a file of another format and a corrupt file, leaving them untouched and unlocked', async ({
    dir,
  }) => {
    const notes = join(dir, 'notes.jsonl');
    await writeFile(notes, '{"note":"x"}\n');
    const notesHash = await sha256(notes);
    await expect(openFileStore(notes, { formats: [notesFormat] })).rejects.toMatchObject({
      code: 'CORRUPT_SESSION',
      reason: expect.stringContaining('a notes file, not a contextlog session'),
    });
    expect(await sha256(notes)).toBe(notesHash);

    const path = join(dir, 'corrupt.jsonl');
    const engine = await openFileSession(path);
    await fill(engine);
    await engine.close();
    const lines = (await readFile(path, 'utf8')).split('\n');
    lines[3] = '{"seq":3,"v":1,"at":"x","type":"checkpoint.created","data":{"id":';
    // A torn tail as well: the open must not repair anything in a file it refuses.
    await writeFile(path, `${lines.join('\n')}{"seq":6`);
    const hash = await sha256(path);
    await expect(openFileStore(path)).rejects.toMatchObject({ code: 'CORRUPT_SESSION', line: 4 });
    expect(await sha256(path)).toBe(hash);
    // openFileSession validates in the engine's first load: the same refusal, nothing repaired.
    await expect(openFileSession(path)).rejects.toMatchObject({ code: 'CORRUPT_SESSION', line: 4 });
    expect(await sha256(path)).toBe(hash);
    expect((await readdir(dir)).filter((name) => name.includes('.torn-'))).toEqual([]);
    expect((await readdir(dir)).filter((name) => name.includes('.lock'))).toEqual([]);
  });
});

describe('data at the depth limit', () => {
  it('what the engine accepts at the deepest reads back, forks and snapshots', async ({ dir }) => {
    const nest = (levels: number): unknown => {
      let value: unknown = 'leaf';
      for (let i = 0; i < levels; i++) value = [value];
      return value;
    };
    const path = join(dir, 's.jsonl');
    const engine = await openFileSession(path);
    await engine.setMetadata('deep', nest(1000) as never);
    const message = { role: 'user' as const, content: 'hi', extra: nest(998) };
    await engine.appendMessages(message);
    await expect(engine.setMetadata('deeper', nest(1001) as never)).rejects.toMatchObject({
      code: 'VALIDATION',
    });
    const live = engine.state;
    await engine.close();
    const forked = join(dir, 'fork.jsonl');
    await forkSession(path, forked);
    await snapshotSessionFile(path);
    for (const file of [path, forked]) {
      const { state } = await readSessionFile(file);
      expect(state.messages).toEqual(live.messages);
      expect(state.metadata.deep).toEqual(live.metadata.deep);
    }
  });
});

describe('direct callers of the store', () => {
  const usage = (seq: number): StoredEvent => ({
    seq,
    v: 1,
    at: new Date().toISOString(),
    type: 'usage.recorded',
    data: { tokenCount: seq },
  });

  it('writes appends called in one turn in call order, one at a time, whether or not the store was idle', async ({
    dir,
  }) => {
    const path = join(dir, 's.jsonl');
    const store = await openFileStore(path);
    const results = await Promise.allSettled([
      store.append([usage(1)], { expectedSeq: 0 }),
      store.append([usage(2)], { expectedSeq: 1 }),
      store.append([usage(4)], { expectedSeq: 2 }),
      store.append([usage(3)], { expectedSeq: 2 }),
    ]);
    expect(results.map((result) => result.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect(await store.lastSeq()).toBe(3);
    await store.close();
    const { state } = await readSessionFile(path);
    expect(state.tokenCount).toBe(3);
  });

  it('an append made from inside a running append (an injected file system hook) waits its turn', async ({
    dir,
  }) => {
    const path = join(dir, 's.jsonl');
    let store: Awaited<ReturnType<typeof openFileStore>> | undefined;
    let inner: Promise<unknown> | undefined;
    const fs: FileSystem = {
      ...defaultFileSystem,
      open: async (file, flags, mode) => {
        const handle = await defaultFileSystem.open(file, flags, mode);
        const { statSync } = handle;
        if (statSync === undefined) throw new Error('the default file system has statSync');
        return {
          ...handle,
          statSync: () => {
            // Called inside the append's run, before its first await.
            if (store !== undefined && inner === undefined) {
              inner = store.append([usage(2)], { expectedSeq: 1 }).then(
                () => 'written',
                (error: unknown) => error,
              );
            }
            return statSync();
          },
        };
      },
    };
    store = await openFileStore(path, { fs });
    await store.append([usage(1)], { expectedSeq: 0 });
    expect(await inner).toBe('written');
    expect(await store.lastSeq()).toBe(2);
    await store.close();
    expect((await readSessionFile(path)).state.tokenCount).toBe(2);
  });

  it('writes the appends called before close(), and refuses those called after it', async ({
    dir,
  }) => {
    const path = join(dir, 's.jsonl');
    const store = await openFileStore(path);
    const first = store.append([usage(1)], { expectedSeq: 0 });
    const second = store.append([usage(2)], { expectedSeq: 1 });
    const closed = store.close();
    const late = store.append([usage(3)], { expectedSeq: 2 }).catch((error: unknown) => error);
    await expect(first).resolves.toBeUndefined();
    await expect(second).resolves.toBeUndefined();
    expect(await late).toMatchObject({ code: 'STORE_CLOSED' });
    await closed;
    expect((await readSessionFile(path)).state.seq).toBe(2);
  });
});

describe('writer lock', () => {
  it('refuses a second writer in this process, naming the pid, and frees the lock on close', async ({
    dir,
  }) => {
    const path = join(dir, 's.jsonl');
    const first = await openFileStore(path);
    const error = await openFileStore(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionLockedError);
    expect(error).toMatchObject({ code: 'SESSION_LOCKED', pid: process.pid });
    expect(String((error as Error).message)).toContain(String(process.pid));
    await first.close();
    const second = await openFileStore(path);
    await second.close();
    expect(await readdir(dir)).toEqual(['s.jsonl']);
  });

  it('refuses a writer while another live process holds the lock', async ({ dir }) => {
    const path = join(dir, 's.jsonl');
    await (await openFileStore(path)).close();
    // A lock naming a live process of this host that is not us: our parent.
    const { processStartTime } = await import('../lock/process-identity.js');
    const { hostname } = await import('node:os');
    const ppid = process.ppid;
    const startTime = await processStartTime(ppid);
    await writeFile(
      lockPathOf(path),
      JSON.stringify({ pid: ppid, host: hostname(), startTime, nonce: 'n', createdAt: 'then' }),
    );
    await expect(openFileStore(path)).rejects.toMatchObject({ code: 'SESSION_LOCKED', pid: ppid });
  });

  it('takes over a lock whose process is gone, or whose pid now names another process', async ({
    dir,
  }) => {
    const path = join(dir, 's.jsonl');
    const engine = await openFileSession(path);
    await fill(engine);
    await engine.close();
    const { hostname } = await import('node:os');
    const stale = [
      { pid: await deadPid(), host: hostname(), nonce: 'dead', createdAt: 'then' },
      // Our own pid, but a start time that is not ours: the pid was reused.
      { pid: process.pid, host: hostname(), startTime: '1', nonce: 'reused', createdAt: 'then' },
    ];
    for (const owner of stale) {
      await writeFile(lockPathOf(path), JSON.stringify(owner));
      const store = await openFileStore(path);
      expect(await store.lastSeq()).toBe(5);
      expect(JSON.parse(await readFile(lockPathOf(path), 'utf8')).pid).toBe(process.pid);
      await store.close();
    }
    expect(await readdir(dir)).toEqual(['s.jsonl']);
  });

  it('lets exactly one of many concurrent openers take over a stale lock', async ({ dir }) => {
    const path = join(dir, 's.jsonl');
    await (await openFileStore(path)).close();
    const { hostname } = await import('node:os');
    await writeFile(
      lockPathOf(path),
      JSON.stringify({ pid: await deadPid(), host: hostname(), nonce: 'x', createdAt: 'then' }),
    );
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => openFileStore(path)));
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') expect(hasCode(r.reason, 'SESSION_LOCKED')).toBe(true);
    }
    for (const r of won) await r.value.close();
    expect(await readdir(dir)).toEqual(['s.jsonl']);
  });
});

describe('failed writes', () => {
  it.for([
    ['write', 'ENOSPC'],
    ['sync', 'EIO'],
  ] as const)(
    'a failed %s leaves file and state as before, and later appends work',
    async ([kind, code], { dir }) => {
      const path = join(dir, 's.jsonl');
      let armed = false;
      const fs = faultyFileSystem((call) => {
        if (!armed || call !== kind) return undefined;
        armed = false; // only this one call fails: the truncate back and its fsync succeed
        return code;
      });
      const engine = await openFileSession(path, { fs });
      await fill(engine);
      const hash = await sha256(path);
      const state = stateToJson(engine.state);
      armed = true;
      const error = await engine
        .appendMessages([user('lost'), user('also lost')])
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'APPEND_FAILED' });
      expect(String((error as Error).message)).toContain(code);
      expect(await sha256(path)).toBe(hash);
      expect(stateToJson(engine.state)).toEqual(state);
      await engine.appendMessages(user('kept'));
      await engine.close();
      const read = await readSessionFile(path);
      expect(read.state.messages.map((m) => m.content).at(-1)).toBe('kept');
      expect(read.state.seq).toBe(6);
      expect(read.diagnostics).toEqual([]);
    },
  );

  it('reports StoreBrokenError when the failed write cannot be undone, and the session reopens', async ({
    dir,
  }) => {
    const path = join(dir, 's.jsonl');
    let armed = false;
    const fs = faultyFileSystem((call) =>
      armed && (call === 'write' || call === 'truncate') ? 'EIO' : undefined,
    );
    const store = await openFileStore(path, { fs });
    const engine = await createContext(store);
    await fill(engine);
    const state = stateToJson(engine.state);
    armed = true;
    const error = await engine.appendMessages(user('x'.repeat(100))).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'STORE_BROKEN' });
    expect(String((error as Error).message)).toContain('truncating back');
    expect(stateToJson(engine.state)).toEqual(state);
    armed = false;
    await expect(engine.appendMessages(user('later'))).rejects.toBeInstanceOf(ContextBrokenError);
    await expect(store.append([], { expectedSeq: await store.lastSeq() })).rejects.toMatchObject({
      code: 'STORE_BROKEN',
    });
    await engine.close();
    // The half-written line is a torn tail: reopening keeps it aside and continues.
    const again = await openFileSession(path);
    expect(stateToJson(again.state)).toEqual(state);
    await again.appendMessages(user('after'));
    await again.close();
    expect((await readdir(dir)).some((name) => name.startsWith('s.jsonl.torn-'))).toBe(true);
  });

  it('rejects an invalid batch or a stale expectedSeq without touching the file', async ({
    dir,
  }) => {
    const path = join(dir, 's.jsonl');
    const store = await openFileStore(path);
    const engine = await createContext(store);
    await fill(engine);
    const hash = await sha256(path);
    const at = new Date().toISOString();
    await expect(
      store.append([{ seq: 6, v: 1, at, type: 'usage.recorded', data: { tokenCount: -1 } }], {
        expectedSeq: 5,
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(
      store.append([{ seq: 8, v: 1, at, type: 'usage.recorded', data: { tokenCount: 1 } }], {
        expectedSeq: 5,
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(
      store.append([{ seq: 5, v: 1, at, type: 'usage.recorded', data: { tokenCount: 1 } }], {
        expectedSeq: 4,
      }),
    ).rejects.toMatchObject({ code: 'CONCURRENCY' });
    expect(await sha256(path)).toBe(hash);
    await engine.close();
    await expect(store.append([], { expectedSeq: 5 })).rejects.toMatchObject({
      code: 'STORE_CLOSED',
    });
  });
});
