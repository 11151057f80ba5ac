import type { StoredEvent } from '@contextlog/core';
import { firstValueFrom, take, timeout, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../schema/migrate.js';
import { openPgStore } from '../store/pg-store.js';
import { BACKENDS, openTestDb, type TestDb } from '../testing/backends.js';
import { followPgSession } from './follow.js';

const appended = (seq: number): StoredEvent => ({
  seq,
  type: 'messages.appended',
  v: 1,
  at: '2026-11-27T12:00:00.000Z',
  data: { messages: [{ role: 'user', content: `m${seq}` }] },
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(BACKENDS)('followPgSession on %s', (kind) => {
  let db: TestDb;
  let table: string;
  let session = 0;
  const newSession = () => `follow-${++session}`;

  beforeAll(async () => {
    db = await openTestDb(kind);
    table = db.table('follow');
    await migrate(db.client, { table });
  });
  afterAll(async () => {
    await db?.close();
  });

  it('emits what is stored, then what lands, each once and in order', async () => {
    const sessionId = newSession();
    // On a real server the writer is another pool: another process as far as the server knows.
    const writerClient = kind === 'postgres' ? db.newPool(2) : db.client;
    const writer = await openPgStore({ client: writerClient, sessionId, table });
    await writer.append([appended(1), appended(2), appended(3)], { expectedSeq: 0 });
    const seen = firstValueFrom(
      followPgSession({ client: db.client, sessionId, table, pageSize: 2 }).pipe(
        take(8),
        toArray(),
        timeout(10_000),
      ),
    );
    await sleep(50);
    await writer.append([appended(4)], { expectedSeq: 3 });
    await writer.append([appended(5), appended(6), appended(7), appended(8)], { expectedSeq: 4 });
    expect((await seen).map((event) => event.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect((await seen)[4]).toEqual(appended(5));
  });

  it('misses nothing committed while it subscribes', async () => {
    const sessionId = newSession();
    const writerClient = kind === 'postgres' ? db.newPool(2) : db.client;
    const writer = await openPgStore({ client: writerClient, sessionId, table });
    const total = 60;
    const writing = (async () => {
      for (let seq = 1; seq <= total; seq++) {
        await writer.append([appended(seq)], { expectedSeq: seq - 1 });
        if (seq % 10 === 0) await sleep(1);
      }
    })();
    await sleep(5);
    const seen = await firstValueFrom(
      followPgSession({ client: db.client, sessionId, table }).pipe(
        take(total),
        toArray(),
        timeout(20_000),
      ),
    );
    await writing;
    expect(seen.map((event) => event.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  });

  it('starts after a given seq', async () => {
    const sessionId = newSession();
    const writer = await openPgStore({ client: db.client, sessionId, table });
    await writer.append([appended(1), appended(2), appended(3)], { expectedSeq: 0 });
    const seen = firstValueFrom(
      followPgSession({ client: db.client, sessionId, table, afterSeq: 2 }).pipe(
        take(2),
        toArray(),
        timeout(10_000),
      ),
    );
    await sleep(20);
    await writer.append([appended(4)], { expectedSeq: 3 });
    expect((await seen).map((event) => event.seq)).toEqual([3, 4]);
  });

  it('polls, so an event whose notification never came is still emitted', async () => {
    const sessionId = newSession();
    const seen = firstValueFrom(
      followPgSession({ client: db.client, sessionId, table, pollIntervalMs: 50 }).pipe(
        take(2),
        toArray(),
        timeout(10_000),
      ),
    );
    await sleep(20);
    // Rows written behind the store's back: nobody notifies.
    const quoted = table
      .split('.')
      .map((part) => `"${part}"`)
      .join('.');
    for (const seq of [1, 2]) {
      await db.admin(
        `INSERT INTO ${quoted} (session_id, seq, type, v, at, data, append_id) VALUES ($1, $2, 'messages.appended', 1, $3, $4, 'manual')`,
        [sessionId, seq, appended(seq).at, JSON.stringify(appended(seq).data)],
      );
    }
    expect(await seen).toEqual([appended(1), appended(2)]);
  });

  it.skipIf(kind !== 'postgres')(
    'listens again after its connection is terminated, and catches up',
    async () => {
      const sessionId = newSession();
      const followerClient = db.newPool(2, 'contextlog-follower');
      const writer = await openPgStore({ client: db.client, sessionId, table });
      const seen: number[] = [];
      const errors: unknown[] = [];
      const subscription = followPgSession({ client: followerClient, sessionId, table }).subscribe({
        next: (event) => seen.push(event.seq),
        error: (error) => errors.push(error),
      });
      await writer.append([appended(1)], { expectedSeq: 0 });
      const waitFor = async (n: number) => {
        for (let i = 0; i < 500 && seen.length < n; i++) await sleep(10);
      };
      await waitFor(1);
      const killed = await db.admin(
        `SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity
         WHERE application_name = 'contextlog-follower' AND pid <> pg_backend_pid()`,
      );
      expect(killed.length).toBeGreaterThan(0);
      // Written while nobody listens: the catch-up read after listening again finds them.
      await writer.append([appended(2), appended(3)], { expectedSeq: 1 });
      await waitFor(3);
      await writer.append([appended(4)], { expectedSeq: 3 });
      await waitFor(4);
      expect(errors).toEqual([]);
      expect(seen).toEqual([1, 2, 3, 4]);
      subscription.unsubscribe();
      await sleep(100);
      const left = await db.admin(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'contextlog-follower' AND query LIKE 'LISTEN%'",
      );
      expect(left[0]?.n).toBe(0);
    },
  );
});
