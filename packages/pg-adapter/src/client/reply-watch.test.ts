import { type ContextEngine, createContext, hasCode, type StoredEvent } from '@contextlog/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../schema/migrate.js';
import { tableName } from '../schema/table.js';
import { openPgStore } from '../store/pg-store.js';
import { openTestDb, PG_URL, type TestDb } from '../testing/backends.js';
import { type SilentProxy, startSilentProxy } from '../testing/silent-proxy.js';
import { pgPoolClient } from './pool-client.js';
import { awaitReply } from './reply-watch.js';
import { NoAnswerError, type SideQuery } from './side-query.js';

const PROBE_MS = 200;
const SETTLE_MS = 1500;
// Probing, settling, and a generous margin for a loaded machine; a hang is forever.
const BOUND_MS = 10_000;

/** The outcome of `promise`, or a failure saying it did not settle within `ms`. */
async function within<T>(promise: Promise<T>, ms: number): Promise<PromiseSettledResult<T>> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not settle within ${ms} ms`)), ms);
  });
  const outcome = Promise.allSettled([promise]).then(([r]) => r as PromiseSettledResult<T>);
  try {
    return await Promise.race([outcome, bound]);
  } finally {
    clearTimeout(timer);
  }
}

async function stored(db: TestDb, sessionId: string, table: string): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const event of (await openPgStore({ client: db.client, sessionId, table })).load()) {
    out.push(event);
  }
  return out;
}

describe('awaitReply', () => {
  const never = new Promise<string>(() => {});
  /** Waits on `reply` with probes answered by `answer`; says how it ended and how often it probed. */
  async function watch(reply: Promise<string>, answer: SideQuery, start?: string) {
    let probes = 0;
    let lost: Error | undefined;
    const outcome = await within(
      awaitReply(reply, {
        probeMs: 20,
        backend: () => ({ pid: 42, ...(start === undefined ? {} : { start }) }),
        side: (...args) => {
          probes++;
          return answer(...args);
        },
        onLost: (reason) => {
          lost = reason;
        },
      }),
      2000,
    );
    return { outcome, probes, lost };
  }

  it('keeps waiting while the server process runs the statement, however long', async () => {
    const slow = new Promise<string>((resolve) => setTimeout(() => resolve('done'), 300));
    const { outcome, probes, lost } = await watch(slow, async () => [
      { state: 'active', quiet_ms: 0 },
    ]);
    expect(outcome).toEqual({ status: 'fulfilled', value: 'done' });
    expect(probes).toBeGreaterThanOrEqual(5);
    expect(lost).toBeUndefined();
  });

  it('gives up on a reply whose server process is idle past the grace, or gone', async () => {
    const idle = await watch(never, async () => [{ state: 'idle', quiet_ms: 5000 }], 'x');
    expect(idle.outcome.status).toBe('rejected');
    expect(idle.lost?.message).toMatch(/no longer running the statement/);
    const gone = await watch(never, async () => [], 'x');
    expect(gone.outcome.status).toBe('rejected');
    // A process only just idle may have its reply on the way: asked again, not given up on.
    let calls = 0;
    const justIdle = await watch(
      never,
      async () => (++calls < 3 ? [{ state: 'idle in transaction', quiet_ms: 5 }] : []),
      'x',
    );
    expect(justIdle.outcome.status).toBe('rejected');
    expect(justIdle.probes).toBe(3);
  });

  it('gives up when the server does not answer the probe; an answered error is not silence', async () => {
    const silent = await watch(never, () => Promise.reject(new NoAnswerError('no answer')), 'x');
    expect(silent.outcome.status).toBe('rejected');
    expect(silent.lost?.message).toMatch(/did not answer on another connection/);
    let calls = 0;
    const answered = await watch(
      new Promise<string>((resolve) => setTimeout(() => resolve('done'), 200)),
      () => {
        calls++;
        return Promise.reject(Object.assign(new Error('too many clients'), { severity: 'FATAL' }));
      },
      'x',
    );
    expect(answered.outcome).toEqual({ status: 'fulfilled', value: 'done' });
    expect(calls).toBeGreaterThan(0);
  });

  it('a pid no row matches is gone only if the server named it (a pooler may make one up)', async () => {
    const unnamed = await watch(
      new Promise<string>((resolve) => setTimeout(() => resolve('done'), 200)),
      async () => [],
    );
    expect(unnamed.outcome).toEqual({ status: 'fulfilled', value: 'done' });
  });
});

// PGlite runs in this process: its replies cannot be lost on a network.
describe.skipIf(PG_URL === undefined)('a reply the network drops (real server)', () => {
  let db: TestDb;
  let table: string;
  const opened: { proxy: SilentProxy; pool: pg.Pool; engine?: ContextEngine }[] = [];

  beforeAll(async () => {
    db = await openTestDb('postgres');
    table = db.table('silent');
    await migrate(db.client, { table });
  });
  afterAll(async () => {
    for (const { proxy, pool, engine } of opened) {
      await engine?.close().catch(() => {});
      await proxy.close();
      await pool.end().catch(() => {});
    }
    await db?.close();
  });

  /** An engine whose every connection goes through a proxy that can go silent. */
  async function openBehindProxy(sessionId: string) {
    const proxy = await startSilentProxy(PG_URL as string);
    const pool = new pg.Pool({ connectionString: proxy.url, max: 4 });
    pool.on('error', () => {});
    const entry: (typeof opened)[number] = { proxy, pool };
    opened.push(entry);
    const client = pgPoolClient(pool, { replyProbeMs: PROBE_MS });
    const engine = await createContext(
      await openPgStore({ client, sessionId, table, settleTimeoutMs: SETTLE_MS }),
    );
    entry.engine = engine;
    await engine.appendMessages({ role: 'user', content: 'before' });
    return { proxy, engine };
  }

  it('the reply of a committed append is lost on its connection: the append resolves, the engine goes on', async () => {
    const { proxy, engine } = await openBehindProxy('lost-reply');
    const silenced = proxy.silenceAfter('INSERT INTO', 'that connection');
    const started = Date.now();
    const result = await within(engine.appendMessages({ role: 'user', content: 'lost' }), BOUND_MS);
    await silenced;
    expect(result.status, String((result as PromiseRejectedResult).reason)).toBe('fulfilled');
    console.info(`lost reply: settled as stored after ${Date.now() - started} ms`);
    const next = await within(engine.appendMessages({ role: 'user', content: 'after' }), BOUND_MS);
    expect(next.status).toBe('fulfilled');
    const events = await stored(db, 'lost-reply', table);
    expect(events.map((event) => event.seq)).toEqual([1, 2, 3]);
    expect(engine.state.messages.map((m) => m.content)).toEqual(['before', 'lost', 'after']);
  });

  it('the whole network goes silent after the append was sent: StoreBrokenError within the bound, later commands do not wait', async () => {
    const { proxy, engine } = await openBehindProxy('partition');
    const silenced = proxy.silenceAfter('INSERT INTO', 'everything');
    const started = Date.now();
    const result = await within(
      engine.appendMessages({ role: 'user', content: 'unknown' }),
      BOUND_MS,
    );
    await silenced;
    expect(result.status).toBe('rejected');
    const reason = (result as PromiseRejectedResult).reason;
    expect(hasCode(reason, 'STORE_BROKEN'), String(reason)).toBe(true);
    console.info(`partition: StoreBrokenError after ${Date.now() - started} ms`);
    const later = await within(engine.appendMessages({ role: 'user', content: 'later' }), 1000);
    expect(later.status).toBe('rejected');
    expect(hasCode((later as PromiseRejectedResult).reason, 'CONTEXT_BROKEN')).toBe(true);
    // The batch did commit: StoreBrokenError said "unknown", never "not stored".
    const events = await stored(db, 'partition', table);
    expect(events.map((event) => event.seq)).toEqual([1, 2]);
  });

  it('a statement that runs longer than many probe intervals is not cut', async () => {
    const { proxy, engine } = await openBehindProxy('slow');
    const slowTable = tableName(table);
    const [schema] = table.split('.');
    await db.admin(`CREATE FUNCTION "${schema}".slow() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN IF NEW.session_id = 'slow' THEN PERFORM pg_sleep(${(PROBE_MS * 8) / 1000}); END IF; RETURN NEW; END $$`);
    await db.admin(`CREATE TRIGGER slow BEFORE INSERT ON ${slowTable.sql}
      FOR EACH ROW EXECUTE FUNCTION "${schema}".slow()`);
    try {
      const before = proxy.accepted;
      const started = Date.now();
      await engine.appendMessages({ role: 'user', content: 'slow' });
      const took = Date.now() - started;
      expect(took).toBeGreaterThanOrEqual(PROBE_MS * 8);
      // It was probed (each probe opens a connection of its own), and it ran to its end.
      expect(proxy.accepted - before).toBeGreaterThanOrEqual(4);
      expect(engine.stats().status).toBe('open');
      const events = await stored(db, 'slow', table);
      expect(events.map((event) => event.seq)).toEqual([1, 2]);
    } finally {
      await db.admin(`DROP TRIGGER slow ON ${slowTable.sql}`);
    }
  });
});
