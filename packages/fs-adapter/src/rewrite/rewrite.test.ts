import { lstat, readdir, readFile, realpath, symlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type ContextEngine, stateToJson } from '@contextlog/core';
import { describe, expect } from 'vitest';
import { headerLine } from '../format/header.js';
import { readSessionFile } from '../read/read-session-file.js';
import { openFileSession } from '../store/open-session.js';
import { sha256 } from '../testing/temp-dir.js';
import { it } from '../testing/vitest.js';
import { forkSession } from './fork-session.js';
import { snapshotSessionFile } from './snapshot-session-file.js';

const user = (content: string) => ({ role: 'user' as const, content });

async function session(path: string): Promise<ContextEngine> {
  const engine = await openFileSession(path);
  await engine.setSystemPrompt('sys');
  await engine.appendMessages(user('one'));
  await engine.checkpoint();
  await engine.appendMessages(user('two'));
  await engine.recordUsage(10);
  await engine.checkpoint({ addUserMessage: true });
  await engine.appendMessages(user('three 😀'));
  await engine.setMetadata('m', 1);
  return engine;
}

describe('snapshotSessionFile', () => {
  it('rewrites a session as header + one snapshot that replays to the same state and continues its seqs', async ({
    dir,
  }) => {
    const path = join(dir, 's.jsonl');
    const engine = await session(path);
    const live = stateToJson(engine.state);
    await expect(snapshotSessionFile(path)).rejects.toMatchObject({ code: 'SESSION_LOCKED' });
    await engine.close();
    const result = await snapshotSessionFile(path);
    expect(result.seq).toBe(8);
    expect(result.bytesAfter).toBeLessThan(result.bytesBefore);
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[1] ?? '')).toMatchObject({ seq: 8, type: 'state.snapshotted' });
    expect(stateToJson((await readSessionFile(path)).state)).toEqual(live);
    const again = await openFileSession(path);
    expect(stateToJson(again.state)).toEqual(live);
    await again.revertTo(1);
    expect(again.state.seq).toBe(9);
    expect(again.state.messages.map((m) => m.content)).toEqual(['one', 'two']);
    await again.close();
    expect((await readSessionFile(path)).state.seq).toBe(9);
    expect((await readdir(dir)).sort()).toEqual(['s.jsonl']);
  });

  it('keeps the operation ids and edits of the session it rewrites: a retry after it writes nothing', async ({
    dir,
  }) => {
    const path = join(dir, 's.jsonl');
    const engine = await openFileSession(path);
    await engine.appendMessages([user('a'), user('b')], { operationId: 'turn-1' });
    await engine.replaceMessages(1, [user('B')], { operationId: 'edit-1' });
    const id = await engine.checkpoint({ operationId: 'cp' });
    await engine.close();
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    expect(JSON.parse(lines[1] ?? '')).toMatchObject({ seq: 1, op: 'turn-1' });
    expect(lines[2]).toMatch(
      /"data":\{"from":1,"messages":\[\{"role":"user","content":"B"\}\]\},"op":"edit-1"\}$/,
    );
    await snapshotSessionFile(path);
    const again = await openFileSession(path);
    expect(again.state.operations.map((record) => record.id)).toEqual(['turn-1', 'edit-1', 'cp']);
    await again.replaceMessages(1, [user('B')], { operationId: 'edit-1' });
    expect(await again.checkpoint({ operationId: 'cp' })).toBe(id);
    expect(again.state.seq).toBe(3);
    expect(again.state.messages.map((m) => m.content)).toEqual(['a', 'B']);
    await again.close();
  });

  it('refuses a path with no file, creating nothing (no session, no lock)', async ({ dir }) => {
    const path = join(dir, 'typo.jsonl');
    await expect(snapshotSessionFile(path)).rejects.toMatchObject({
      code: 'SESSION_NOT_FOUND',
      path,
    });
    expect(await readdir(dir)).toEqual([]);
  });

  it('snapshots the file a symlink names, and the link stays a link', async ({ dir }) => {
    const path = join(dir, 's.jsonl');
    const engine = await session(path);
    const live = stateToJson(engine.state);
    await engine.close();
    const link = join(dir, 'link.jsonl');
    await symlink(path, link);
    const result = await snapshotSessionFile(link);
    expect(result.seq).toBe(8);
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect((await readFile(path, 'utf8')).trimEnd().split('\n')).toHaveLength(2);
    expect(stateToJson((await readSessionFile(link)).state)).toEqual(live);
    expect((await readdir(dir)).sort()).toEqual(['link.jsonl', 's.jsonl']);
  });

  it('refuses a corrupt session and leaves it untouched', async ({ dir }) => {
    const path = join(dir, 's.jsonl');
    await (await session(path)).close();
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.replace('"seq":3', '"seq":33'));
    const hash = await sha256(path);
    await expect(snapshotSessionFile(path)).rejects.toMatchObject({
      code: 'CORRUPT_SESSION',
      line: 4,
    });
    expect(await sha256(path)).toBe(hash);
  });

  it('says where it kept the torn tail of an unfinished write', async ({ dir }) => {
    const path = join(dir, 'torn.jsonl');
    await (await session(path)).close();
    const complete = await readFile(path);
    await writeFile(path, Buffer.concat([complete, Buffer.from('{"seq":9,"ty')]));
    const result = await snapshotSessionFile(path);
    expect(result.tornTailPath).toBe(`${await realpath(path)}.torn-${complete.length}`);
    expect(await readFile(result.tornTailPath ?? '', 'utf8')).toBe('{"seq":9,"ty');
    expect(result.seq).toBe(8);
  });

  it('leaves an empty file untouched: no header, no lock', async ({ dir }) => {
    const path = join(dir, 'empty.jsonl');
    await writeFile(path, '');
    expect(await snapshotSessionFile(path)).toEqual({
      seq: 0,
      bytesBefore: 0,
      bytesAfter: 0,
      snapshotLines: 0,
    });
    expect(await readFile(path, 'utf8')).toBe('');
    expect((await readdir(dir)).sort()).toEqual(['empty.jsonl']);
  });
});

describe('a value JSON could not give back', () => {
  it('snapshot and fork refuse it with its path, writing nothing, instead of storing null', async ({
    dir,
  }) => {
    const at = '2026-01-01T00:00:00.000Z';
    const path = join(dir, 's.jsonl');
    // Another writer's line: JSON.parse reads 1e400 as Infinity, which JSON would write as null.
    const line = `{"seq":1,"type":"messages.appended","v":1,"at":"${at}","data":{"messages":[{"role":"user","content":"a","score":1e400}]}}\n`;
    await writeFile(path, `${headerLine(new Date(at))}${line}`);
    const hash = await sha256(path);
    const refusal = { code: 'VALIDATION', path: 'state.messages[0].score' };
    await expect(snapshotSessionFile(path)).rejects.toMatchObject(refusal);
    await expect(forkSession(path, join(dir, 'fork.jsonl'))).rejects.toMatchObject(refusal);
    expect(await sha256(path)).toBe(hash);
    expect((await readdir(dir)).sort()).toEqual(['s.jsonl']);
  });
});

describe('a state near the limits of a count', () => {
  it('snapshot and fork store a token count of 2^53 - 1 with pending text, and reopen it', async ({
    dir,
  }) => {
    const path = join(dir, 's.jsonl');
    const engine = await openFileSession(path);
    await engine.recordUsage(Number.MAX_SAFE_INTEGER);
    await engine.appendMessages(user('twelve chars'));
    const { tokenCountWithPending } = engine.state;
    const live = stateToJson(engine.state);
    await engine.close();
    // tokenCountWithPending is 2^53 - 1 + 3: past what a stored count may be, but derived.
    expect(tokenCountWithPending).toBeGreaterThan(Number.MAX_SAFE_INTEGER);
    const fork = await forkSession(path, join(dir, 'fork.jsonl'));
    expect(fork.state.tokenCountWithPending).toBe(tokenCountWithPending);
    expect(await snapshotSessionFile(path)).toMatchObject({ seq: 2 });
    const reopened = await openFileSession(path);
    expect(stateToJson(reopened.state)).toEqual(live);
    await reopened.close();
    const forked = await openFileSession(join(dir, 'fork.jsonl'));
    expect(forked.state.tokenCount).toBe(Number.MAX_SAFE_INTEGER);
    expect(forked.state.messages).toEqual([user('twelve chars')]);
    expect(stateToJson(forked.state)).toEqual(stateToJson(fork.state));
    await forked.close();
  });
});

describe('forkSession', () => {
  it('starts a new session from the source state, with forkedFrom', async ({ dir }) => {
    const source = join(dir, 's.jsonl');
    const engine = await session(source);
    const live = engine.state;
    const target = join(dir, 'fork.jsonl');
    const sourceHash = await sha256(source);
    const fork = await forkSession(source, target);
    expect(await sha256(source)).toBe(sourceHash);
    const read = await readSessionFile(target, { withEvents: true });
    expect(read.events?.map((e) => e.type)).toEqual(['state.snapshotted', 'metadata.set']);
    expect(stateToJson(read.state)).toEqual(stateToJson(fork.state));
    expect(read.state.messages).toEqual(live.messages);
    expect(read.state.checkpoints).toEqual(live.checkpoints);
    expect(read.state.tokenCountWithPending).toBe(live.tokenCountWithPending);
    expect(read.state.metadata).toEqual({
      m: 1,
      forkedFrom: { path: resolve(source), seq: 8, checkpoint: null },
    });
    expect(read.state.seq).toBe(2);
    await engine.close();

    await expect(forkSession(source, target)).rejects.toMatchObject({ code: 'TARGET_EXISTS' });
    const atOne = await forkSession(source, target, { atCheckpoint: 1, force: true });
    expect(atOne.state.messages.map((m) => m.content)).toEqual(['one', 'two']);
    expect(atOne.state.nextCheckpointId).toBe(1);
    expect(atOne.state.tokenCount).toBe(10);
    expect(stateToJson((await readSessionFile(target)).state)).toEqual(stateToJson(atOne.state));
    await expect(
      forkSession(source, join(dir, 'x.jsonl'), { atCheckpoint: 5 }),
    ).rejects.toMatchObject({
      code: 'CHECKPOINT_NOT_FOUND',
    });
    const forked = await openFileSession(target);
    await forked.appendMessages(user('new'));
    expect(forked.state.seq).toBe(3);
    await forked.close();
    expect((await readdir(dir)).sort()).toEqual(['fork.jsonl', 's.jsonl']);
  });

  it('refuses to replace a target a live writer holds', async ({ dir }) => {
    const source = join(dir, 's.jsonl');
    await (await session(source)).close();
    const target = join(dir, 'fork.jsonl');
    const writer = await openFileSession(target);
    await expect(forkSession(source, target, { force: true })).rejects.toMatchObject({
      code: 'SESSION_LOCKED',
    });
    await writer.close();
    const fork = await forkSession(source, target, { force: true });
    expect(fork.state.messages).toHaveLength(4);
  });
});
