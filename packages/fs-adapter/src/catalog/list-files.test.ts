import { chmod, mkdir, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { notesDialect } from '@contextlog/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { headerLine } from '../format/header.js';
import { lockPathOf } from '../lock/session-lock.js';
import { notesFormat } from '../read/notes-format.test-helper.js';
import { readSessionFile } from '../read/read-session-file.js';
import { openFileStore } from '../store/file-store.js';
import { openFileSession } from '../store/open-session.js';
import { tempDir } from '../testing/temp-dir.js';
import { inspectFileSession } from './inspect-file.js';
import { listFileSessions } from './list-files.js';
import type { CatalogProgress, FileSessionInfo } from './types.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(async () => {
  await cleanup();
});

const user = (content: string) => ({ role: 'user' as const, content });
const at = '2026-01-01T00:00:00.000Z';
const line = (seq: number, content: string) =>
  `${JSON.stringify({ seq, type: 'messages.appended', v: 1, at, data: { messages: [user(content)] } })}\n`;

/** A session whose history was cut back and summarized: its count needs the rules, not the lines. */
async function editedSession(path: string): Promise<void> {
  const engine = await openFileSession(path);
  await engine.appendMessages([user('a'), user('b')]);
  const mark = await engine.checkpoint({ addUserMessage: true });
  await engine.appendMessages([user('c'), user('d'), user('e')]);
  await engine.revertTo(mark);
  await engine.appendMessages(user('f'));
  await engine.close();
}

async function notesSession(path: string): Promise<void> {
  const engine = await openFileSession(path, { dialect: notesDialect });
  await engine.appendMessages({ id: 'n1', role: 'user', parts: [{ type: 'text', text: 'hi' }] });
  await engine.close();
}

const byName = (sessions: readonly FileSessionInfo[]) =>
  Object.fromEntries(sessions.map((session) => [session.name, session]));

/** Every kind of file a directory of sessions holds, and what is not a session at all. */
async function fillDirectory(): Promise<void> {
  await editedSession(join(dir, 'edited.jsonl'));
  await notesSession(join(dir, 'notes.jsonl'));
  await writeFile(join(dir, 'empty.jsonl'), '');
  await writeFile(join(dir, 'torn-header.jsonl'), '{"format":"contextl');
  await writeFile(
    join(dir, 'corrupt.jsonl'),
    `${headerLine(at)}${line(1, 'ok')}{"seq":2,"type":"messages.appended"\n`,
  );
  await writeFile(
    join(dir, 'kimi.jsonl'),
    `${JSON.stringify(user('hi'))}\n${JSON.stringify({ role: '_usage', token_count: 3 })}\n`,
  );
  await writeFile(join(dir, 'notes-format.jsonl'), '{"note":"a"}\n{"note":"b"}\n');
  await writeFile(
    join(dir, 'newer.jsonl'),
    '{"format":"contextlog","version":9,"createdAt":"x"}\n',
  );
  // Not sessions, whatever they hold: the adapter's own leftovers and other files.
  await writeFile(join(dir, 'edited.jsonl.lock'), '{}');
  await writeFile(join(dir, 'edited.jsonl.torn-120'), '{"seq"');
  await writeFile(join(dir, '.edited.jsonl.1@host.-.0123456789ab.tmp'), headerLine(at));
  await writeFile(join(dir, '.hidden.jsonl'), headerLine(at));
  await writeFile(join(dir, 'readme.txt'), headerLine(at));
  await mkdir(join(dir, 'folder.jsonl'));
}

describe('listFileSessions', () => {
  it('lists each .jsonl file by name with its size and last change, reading only its start', async () => {
    await fillDirectory();
    await utimes(join(dir, 'empty.jsonl'), new Date(at), new Date(at));
    const { sessions, skipped } = await listFileSessions(dir);
    expect(sessions.map((s) => s.name)).toEqual([
      'corrupt',
      'edited',
      'empty',
      'kimi',
      'newer',
      'notes',
      'notes-format',
      'torn-header',
    ]);
    expect(skipped).toEqual([]);
    const listed = byName(sessions);
    expect(listed.empty).toEqual({
      name: 'empty',
      path: join(dir, 'empty.jsonl'),
      bytes: 0,
      changedAt: at,
      format: 'contextlog',
      dialect: { name: 'kimi-cli', version: 1 },
      estimator: 'kimi-cli',
    });
    expect(listed.edited).toMatchObject({ format: 'contextlog', dialect: { name: 'kimi-cli' } });
    expect(listed.edited?.messages).toBeUndefined();
    expect(listed.edited?.createdAt).toMatch(/^\d{4}-/);
    // A version 2 header: the declaration on the next line names the dialect.
    expect(listed.notes?.dialect).toEqual({ name: 'testkit-notes', version: 1 });
    expect(listed['torn-header']).toMatchObject({ format: 'contextlog', bytes: 19 });
    expect(listed['torn-header']?.problem).toBeUndefined();
    // Only the header was read: the corrupt line is not seen without counts.
    expect(listed.corrupt?.problem).toBeUndefined();
    expect(listed.newer?.problem).toMatch(/^line 1: header.version 9 is newer than this reader/);
    expect(listed.kimi?.format).toBeUndefined();
    expect(listed.kimi?.problem).toMatch(/^cannot tell the format: no contextlog header/);
  });

  it('with counts, reads each session for its message count, last seq and dialect', async () => {
    await fillDirectory();
    const listed = byName((await listFileSessions(dir, { counts: true })).sessions);
    const replayed = (await readSessionFile(join(dir, 'edited.jsonl'))).state;
    expect(listed.edited).toMatchObject({
      messages: replayed.messages.length,
      seq: replayed.seq,
      dialect: { name: 'kimi-cli', version: 1 },
      estimator: 'kimi-cli',
    });
    expect(listed.edited?.messages).toBe(3);
    expect(listed.notes).toMatchObject({ messages: 1, seq: 2 });
    expect(listed.notes?.dialect).toEqual({ name: 'testkit-notes', version: 1 });
    // Not known to this reader: read all the same, with a warning.
    expect(listed.notes?.warnings?.join()).toMatch(/testkit-notes v1 is not known here/);
    expect(listed.empty).toMatchObject({ messages: 0, seq: 0 });
    expect(listed['torn-header']).toMatchObject({ messages: 0, seq: 0 });
    expect(listed['torn-header']?.warnings?.[0]).toMatch(/torn tail/);
    expect(listed.corrupt?.problem).toMatch(/^line 3: not valid JSON/);
    expect(listed.corrupt?.messages).toBeUndefined();
    expect(listed.kimi?.problem).toMatch(/cannot tell the format/);
  });

  it('validates a dialect it is given', async () => {
    await notesSession(join(dir, 'notes.jsonl'));
    const [notes] = (await listFileSessions(dir, { counts: true, dialects: [notesDialect] }))
      .sessions;
    expect(notes).toMatchObject({ messages: 1 });
    expect(notes?.warnings).toBeUndefined();
  });

  it('leaves out the files of another format it is given, unless asked to list them', async () => {
    await fillDirectory();
    const other = await listFileSessions(dir, { formats: [notesFormat], counts: true });
    expect(other.sessions.map((s) => s.name)).not.toContain('notes-format');
    expect(other.skipped).toEqual([{ path: join(dir, 'notes-format.jsonl'), format: 'notes' }]);
    const all = await listFileSessions(dir, {
      formats: [notesFormat],
      counts: true,
      includeOtherFormats: true,
    });
    expect(byName(all.sessions)['notes-format']).toMatchObject({ format: 'notes', messages: 2 });
    expect(all.skipped).toEqual([]);
  });

  it('names the live writer of a session', async () => {
    const path = join(dir, 'live.jsonl');
    const store = await openFileStore(path);
    try {
      const [live] = (await listFileSessions(dir)).sessions;
      expect(live?.writer).toEqual({ pid: process.pid, host: expect.any(String) });
    } finally {
      await store.close();
    }
    const [closed] = (await listFileSessions(dir)).sessions;
    expect(closed?.writer).toBeUndefined();
  });

  it('lists a file it cannot read, or a link to nothing, with the reason: one bad file never fails the listing', async () => {
    await editedSession(join(dir, 'good.jsonl'));
    await symlink(join(dir, 'gone.jsonl'), join(dir, 'dangling.jsonl'));
    await symlink(join(dir, 'good.jsonl'), join(dir, 'link.jsonl'));
    const locked = join(dir, 'locked.jsonl');
    await writeFile(locked, headerLine(at));
    await chmod(locked, 0);
    const listed = byName((await listFileSessions(dir, { counts: true })).sessions);
    expect(listed.good?.messages).toBe(3);
    // A link to a session lists that session under the link's name.
    expect(listed.link?.messages).toBe(3);
    expect(listed.dangling?.problem).toBe(
      `a symbolic link to ${join(dir, 'gone.jsonl')}, which does not exist`,
    );
    if (process.getuid?.() !== 0) expect(listed.locked?.problem).toMatch(/EACCES/);
  });

  it('reports progress by file, and by byte when it counts', async () => {
    await fillDirectory();
    const seen: CatalogProgress[] = [];
    await listFileSessions(dir, { onProgress: (p) => seen.push(p) });
    expect(seen.at(-1)).toEqual({ filesDone: 8, totalFiles: 8, bytesRead: 0, totalBytes: 0 });
    const counted: CatalogProgress[] = [];
    await listFileSessions(dir, { counts: true, onProgress: (p) => counted.push(p) });
    const last = counted.at(-1);
    expect(last?.totalBytes).toBeGreaterThan(0);
    expect(last?.bytesRead).toBe(last?.totalBytes);
    for (const [i, p] of counted.entries()) {
      expect(p.bytesRead).toBeGreaterThanOrEqual(counted[i - 1]?.bytesRead ?? 0);
    }
  });

  it('refuses a directory that does not exist, or a file, with a typed error', async () => {
    await expect(listFileSessions(join(dir, 'missing'))).rejects.toMatchObject({
      code: 'DIRECTORY_NOT_FOUND',
    });
    await writeFile(join(dir, 'file'), '');
    await expect(listFileSessions(join(dir, 'file'))).rejects.toMatchObject({
      code: 'DIRECTORY_NOT_FOUND',
      notADirectory: true,
    });
  });
});

describe('inspectFileSession', () => {
  it('counts one session; its content never makes it throw', async () => {
    const path = join(dir, 'edited.jsonl');
    await editedSession(path);
    expect(await inspectFileSession(path)).toMatchObject({ name: 'edited', messages: 3, seq: 5 });
    const corrupt = join(dir, 'corrupt.jsonl');
    await writeFile(corrupt, `${headerLine(at)}${line(1, 'a')}${line(3, 'b')}`);
    expect((await inspectFileSession(corrupt)).problem).toBe('line 3: seq gap: expected 2, got 3');
    const notes = join(dir, 'notes.txt');
    await writeFile(notes, '{"note":"a"}\n');
    expect(await inspectFileSession(notes, { formats: [notesFormat] })).toMatchObject({
      format: 'notes',
      messages: 1,
    });
  });

  it('counts a revert to a checkpoint that is not live as the problem it is', async () => {
    const path = join(dir, 'bad-revert.jsonl');
    const revert = { seq: 2, type: 'context.reverted', v: 1, at, data: { checkpointId: 0 } };
    await writeFile(path, `${headerLine(at)}${line(1, 'a')}${JSON.stringify(revert)}\n`);
    expect((await inspectFileSession(path)).problem).toMatch(
      /^line 3: context.reverted cannot apply: checkpoint 0 does not exist/,
    );
  });

  it('refuses a missing path and a directory with typed errors', async () => {
    await expect(inspectFileSession(join(dir, 'missing.jsonl'))).rejects.toMatchObject({
      code: 'SESSION_NOT_FOUND',
    });
    await expect(inspectFileSession(dir)).rejects.toMatchObject({ code: 'NOT_A_FILE' });
  });

  it('counts a session after a compaction and a snapshot as replay does', async () => {
    const path = join(dir, 'compacted.jsonl');
    const engine = await openFileSession(path);
    await engine.appendMessages([user('a'), user('b'), user('c')]);
    await engine.compact([user('summary')]);
    await engine.appendMessages(user('d'));
    await engine.clear();
    await engine.appendMessages([user('e'), user('f')]);
    await engine.close();
    const replayed = await readSessionFile(path);
    expect(await inspectFileSession(path)).toMatchObject({
      messages: replayed.state.messages.length,
      seq: replayed.state.seq,
    });
    expect(replayed.state.messages.length).toBe(2);
  });
});

// The lock file of a session is never a session itself.
it('lockPathOf names a file the listing leaves out', () => {
  expect(lockPathOf('a.jsonl').endsWith('.jsonl')).toBe(false);
});
