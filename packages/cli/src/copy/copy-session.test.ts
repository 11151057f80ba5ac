import { appendFile, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CopyTargetNotEmptyError, type StoredEvent, stateToJson } from '@contextlog/core';
import {
  openFileSession,
  readSessionEvents,
  readSessionFile,
  snapshotSessionFile,
} from '@contextlog/fs-adapter';
import { sharedTempDir } from '@contextlog/fs-adapter/testing/vitest';
import { CopySourceEmptyError, migrate, openPgStore } from '@contextlog/pg-adapter';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copySession } from './copy-session.js';
import { BACKENDS, openTestDb, PG_URL, type TestDb } from './pg-backends.test-helper.js';

async function collect(events: AsyncIterable<StoredEvent>): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

// pg-adapter's import-events.test.ts builds this log too; it is not shared through testkit,
// since a program that imports testkit has INJECTED_FAULT, a code the CLI's error table lacks.
/** A session file with every kind of command and text PostgreSQL must not alter. */
async function writeSessionFile(path: string): Promise<void> {
  const engine = await openFileSession(path);
  await engine.setSystemPrompt('you are \u0000 careful');
  await engine.appendMessages([
    { role: 'user', content: 'lone \ud800 surrogate, NUL \u0000, emoji 😀, CJK 漢字' },
    { role: 'assistant', content: [{ type: 'think', think: 'hmm \udfff' }] },
  ]);
  const id = await engine.checkpoint({ addUserMessage: true });
  await engine.appendMessages({ role: 'user', content: 'to be reverted' });
  await engine.revertTo(id);
  await engine.recordUsage(42);
  await engine.setMetadata('title', { nested: ['\u0000', null] });
  for (let i = 0; i < 25; i++) await engine.appendMessages({ role: 'user', content: `m${i}` });
  await engine.close();
}

describe.each(BACKENDS)('copySession on %s', (kind) => {
  let db: TestDb;
  let table: string;
  const scratch = sharedTempDir();

  beforeAll(async () => {
    db = await openTestDb(kind);
    table = db.table('copy');
  });
  afterAll(async () => {
    await db?.close();
  });

  it('file → PostgreSQL → file keeps every event, seq and state', async () => {
    const original = join(scratch.path, 'original.jsonl');
    await writeSessionFile(original);
    const there = await copySession(
      original,
      { client: db.client, sessionId: 'copied', table },
      {
        batchSize: 7,
        payload: 'text',
      },
    );
    const events = await collect(readSessionEvents(original));
    expect(there.events).toBe(events.length);
    expect(there.lastSeq).toBe(events.at(-1)?.seq);
    const stored = await collect(
      (await openPgStore({ client: db.client, sessionId: 'copied', table })).load(),
    );
    expect(JSON.stringify(stored)).toBe(JSON.stringify(events));

    const back = join(scratch.path, 'back.jsonl');
    const home = await copySession({ client: db.client, sessionId: 'copied', table }, back);
    expect(JSON.stringify(await collect(readSessionEvents(back)))).toBe(JSON.stringify(events));
    expect(stateToJson(home.state)).toEqual(stateToJson(there.state));
    expect(home.state.messages[0]?.content).toBe(
      'lone \ud800 surrogate, NUL \u0000, emoji 😀, CJK 漢字',
    );
  });

  it('a file that starts with a snapshot keeps its seq numbers', async () => {
    const path = join(scratch.path, 'snapshotted.jsonl');
    await writeSessionFile(path);
    await snapshotSessionFile(path);
    const events = await collect(readSessionEvents(path));
    expect(events[0]?.type).toBe('state.snapshotted');
    expect(events[0]?.seq).toBeGreaterThan(1);
    const result = await copySession(path, { client: db.client, sessionId: 'snapshotted', table });
    const stored = await collect(
      (await openPgStore({ client: db.client, sessionId: 'snapshotted', table })).load(),
    );
    expect(stored).toEqual(events);
    expect(result.lastSeq).toBe(events[0]?.seq);
    // The copy goes on from there.
    await (await openPgStore({ client: db.client, sessionId: 'snapshotted', table })).append(
      [
        {
          seq: result.lastSeq + 1,
          type: 'usage.recorded',
          v: 1,
          at: '2026-11-27T12:00:00.000Z',
          data: { tokenCount: 1 },
        },
      ],
      { expectedSeq: result.lastSeq },
    );
  });

  it('a snapshot in several lines goes to PostgreSQL as part rows and comes back as part lines', async () => {
    const path = join(scratch.path, 'large.jsonl');
    const engine = await openFileSession(path);
    for (let i = 0; i < 40; i++) {
      await engine.appendMessages({ role: 'user', content: `${i} ${'z'.repeat(60_000)} 漢字` });
    }
    await engine.close();
    await snapshotSessionFile(path);
    const lines = (await readFile(path, 'utf8')).split('\n').slice(0, -1);
    expect(lines.length).toBeGreaterThan(2);
    const events = await collect(readSessionEvents(path));
    const there = { client: db.client, sessionId: 'large', table };
    await copySession(path, there);
    const back = join(scratch.path, 'large-back.jsonl');
    const home = await copySession(there, back);
    const backLines = (await readFile(back, 'utf8')).split('\n').slice(0, -1);
    expect(JSON.parse(backLines[0] ?? '')).toMatchObject({ version: 3 });
    expect(backLines.length).toBeGreaterThan(2);
    for (const line of backLines.slice(1)) expect(line.length).toBeLessThan(1.5 * 2 ** 20);
    expect(JSON.stringify(await collect(readSessionEvents(back)))).toBe(JSON.stringify(events));
    expect(home.state.messages).toHaveLength(40);
  });

  it('a kimi-cli import with counts past 2^53 - 1, snapshotted, copies both ways', async () => {
    // What @contextlog/kimi's import writes for kimi-cli's token counts -3 and 2^64 (0 and
    // 2^53 - 1, warned); the snapshot of a state whose token count with pending text passes 2^53
    // is valid.
    const path = join(scratch.path, 'imported.jsonl');
    const at = '2026-01-01T00:00:00.000Z';
    const events = [
      { seq: 1, type: 'usage.recorded', v: 1, at, data: { tokenCount: 0 } },
      { seq: 2, type: 'usage.recorded', v: 1, at, data: { tokenCount: Number.MAX_SAFE_INTEGER } },
      {
        seq: 3,
        type: 'messages.appended',
        v: 1,
        at,
        data: { messages: [{ role: 'user', content: 'twelve chars' }] },
      },
    ];
    const header = JSON.stringify({ format: 'contextlog', version: 1, createdAt: at });
    await writeFile(path, `${[header, ...events.map((e) => JSON.stringify(e))].join('\n')}\n`);
    const imported = await readSessionFile(path);
    expect(imported.state.tokenCount).toBe(Number.MAX_SAFE_INTEGER);
    await snapshotSessionFile(path);
    const there = await copySession(path, { client: db.client, sessionId: 'kimi-ints', table });
    const back = join(scratch.path, 'kimi-ints-back.jsonl');
    const home = await copySession({ client: db.client, sessionId: 'kimi-ints', table }, back);
    expect(stateToJson(there.state)).toEqual(stateToJson(imported.state));
    expect(stateToJson(home.state)).toEqual(stateToJson(imported.state));
  });

  it('refuses a target that holds a session and leaves it as it was', async () => {
    const path = join(scratch.path, 'source.jsonl');
    await writeSessionFile(path);
    await copySession(path, { client: db.client, sessionId: 'taken', table });
    const before = await collect(
      (await openPgStore({ client: db.client, sessionId: 'taken', table })).load(),
    );
    await expect(
      copySession(path, { client: db.client, sessionId: 'taken', table }),
    ).rejects.toBeInstanceOf(CopyTargetNotEmptyError);
    expect(
      await collect((await openPgStore({ client: db.client, sessionId: 'taken', table })).load()),
    ).toEqual(before);
    const existing = join(scratch.path, 'existing.jsonl');
    await writeFile(existing, 'keep me\n');
    await expect(
      copySession({ client: db.client, sessionId: 'taken', table }, existing),
    ).rejects.toBeInstanceOf(CopyTargetNotEmptyError);
    expect(await readFile(existing, 'utf8')).toBe('keep me\n');
  });

  it('refuses a PostgreSQL source without events (a typo), creating nothing', async () => {
    await migrate(db.client, { table });
    const target = join(scratch.path, 'from-typo.jsonl');
    const error = await copySession({ client: db.client, sessionId: 'typo', table }, target).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CopySourceEmptyError);
    expect(error).toMatchObject({ code: 'COPY_SOURCE_EMPTY', sessionId: 'typo', table });
    expect((error as Error).message).toBe(`session "typo" has no events in table ${table}`);
    await expect(stat(target)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(stat(`${target}.lock`)).rejects.toMatchObject({ code: 'ENOENT' });

    // A table that does not exist: the same refusal, and no table is created.
    const missing = `${table}_nope`;
    await expect(
      copySession({ client: db.client, sessionId: 'typo', table: missing }, target),
    ).rejects.toMatchObject({
      code: 'COPY_SOURCE_EMPTY',
      tableMissing: true,
      message: `session "typo": there is no table ${missing} to copy it from`,
    });
    const [row] = await db.admin('SELECT to_regclass($1) AS found', [missing]);
    expect(row?.found).toBeNull();
    await expect(stat(target)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a source that fails half way leaves no target behind', async () => {
    const path = join(scratch.path, 'corrupt.jsonl');
    await writeSessionFile(path);
    await appendFile(path, '{"not an event"}\n{"seq":999}\n');
    await expect(
      copySession(path, { client: db.client, sessionId: 'half', table }, { batchSize: 3 }),
    ).rejects.toMatchObject({ code: 'CORRUPT_SESSION' });
    expect(
      await (await openPgStore({ client: db.client, sessionId: 'half', table })).lastSeq(),
    ).toBe(0);

    const good = join(scratch.path, 'good.jsonl');
    await writeSessionFile(good);
    await migrate(db.client, { table });
    // A gap in the PostgreSQL source makes the copy into a file fail: the file is removed.
    const gap = await openPgStore({ client: db.client, sessionId: 'gap', table });
    const events = await collect(readSessionEvents(good));
    await gap.append(events.slice(0, 3), { expectedSeq: 0 });
    await db.admin(
      `INSERT INTO ${
        table.includes('.')
          ? table
              .split('.')
              .map((p) => `"${p}"`)
              .join('.')
          : `"${table}"`
      }
       (session_id, seq, type, v, at, data, append_id) VALUES ('gap', 9, 'context.cleared', 1, 'x', '{}', 'manual')`,
    );
    const target = join(scratch.path, 'from-gap.jsonl');
    await expect(
      copySession({ client: db.client, sessionId: 'gap', table }, target, { batchSize: 2 }),
    ).rejects.toMatchObject({ code: 'CORRUPT_SESSION' });
    await expect(stat(target)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it.skipIf(kind !== 'postgres' || PG_URL === undefined)(
    'copies both ways through a postgres:// URL',
    async () => {
      const path = join(scratch.path, 'by-url.jsonl');
      await writeSessionFile(path);
      const url = `${PG_URL}?session=by-url&table=${table}`;
      const there = await copySession(path, url);
      expect(there.target).toContain('session=by-url');
      const back = join(scratch.path, 'by-url-back.jsonl');
      const home = await copySession(url, back);
      expect(JSON.stringify(await collect(readSessionEvents(back)))).toBe(
        JSON.stringify(await collect(readSessionEvents(path))),
      );
      expect(stateToJson(home.state)).toEqual(stateToJson(there.state));
      // Without ?session= the file's name is the session id.
      const byName = join(scratch.path, 'by-name.jsonl');
      await writeSessionFile(byName);
      await copySession(byName, `${PG_URL}?table=${table}`);
      expect(
        await (await openPgStore({ client: db.client, sessionId: 'by-name', table })).lastSeq(),
      ).toBe(there.lastSeq);
    },
  );
});
