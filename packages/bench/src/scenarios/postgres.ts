import * as path from 'node:path';
import type { ContextEngine, Message } from '@contextlog/core';
import { openFileSession } from '@contextlog/fs-adapter';
import {
  createPgClient,
  createPgliteClient,
  migrate,
  openPgSession,
  type PgClient,
} from '@contextlog/pg-adapter';
import { messagePool } from '../data/messages.js';
import { HEAP_MESSAGES_PER_SESSION } from '../lib/pg-heap.js';
import { type PgServer, startPgServer } from '../lib/pg-server.js';
import { runChild } from '../lib/run-child.js';
import { type BenchContext, compare, type Figure, type Scenario, skip } from '../scenario.js';

const PRODUCERS = 64;
const SESSIONS = 16;
/** Issue 18: what one open session may cost in the heap beyond its messages. */
const HEAP_BUDGET_KB = 50;

interface Database {
  readonly label: string;
  readonly client: PgClient;
  readonly table: string;
  readonly real: boolean;
  /** The server's URL, or `pglite`. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * A real server: CONTEXTLOG_PG_URL when set (a schema of its own, dropped afterwards), else one
 * the bench starts with `.ci/postgres.sh` and stops afterwards; undefined when there is none
 * (PostgreSQL not installed). `--quick` without CONTEXTLOG_PG_URL runs on PGlite in memory
 * instead (PostgreSQL in WASM in this process, with no disk and no fsync: shape only).
 */
async function openDatabase(ctx: BenchContext): Promise<Database | undefined> {
  let url = process.env.CONTEXTLOG_PG_URL;
  let server: PgServer | undefined;
  if ((url === undefined || url === '') && !ctx.quick) {
    server = startPgServer(ctx.tmpDir, ctx.log);
    if (server === undefined) return undefined;
    url = server.url;
  }
  if (url === undefined || url === '') {
    const client = await createPgliteClient();
    await migrate(client, { table: 'bench_events' });
    return {
      label: 'PGlite in memory',
      client,
      table: 'bench_events',
      real: false,
      url: 'pglite',
      close: () => client.end(),
    };
  }
  const client = createPgClient(url, { max: SESSIONS + 4 });
  try {
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    const schema = `contextlog_bench_${process.pid}_${Date.now()}`;
    await client.query(`CREATE SCHEMA "${schema}"`);
    const table = `${schema}.events`;
    await migrate(client, { table });
    const version = rows[0]?.server_version.split(' ')[0] ?? '?';
    return {
      label: `PostgreSQL ${version} ${server === undefined ? 'server' : 'server (started by the bench)'}`,
      client,
      table,
      real: true,
      url,
      close: async () => {
        try {
          await client.query(`DROP SCHEMA "${schema}" CASCADE`);
          await client.end();
        } finally {
          server?.stop();
        }
      },
    };
  } catch (error) {
    await client.end().catch(() => undefined);
    server?.stop();
    throw error;
  }
}

/** `producers` concurrent producers, each awaiting one-message appends, `total` in all. */
async function drive(engine: ContextEngine, producers: number, total: number, pool: Message[]) {
  await Promise.all(
    Array.from({ length: producers }, async (_, producer) => {
      for (let i = producer; i < total; i += producers) {
        await engine.appendMessages(pool[i % pool.length] as Message);
      }
    }),
  );
  if (engine.state.seq !== total) {
    throw new Error(`session holds seq ${engine.state.seq} after ${total} appends`);
  }
}

/** Messages per second over `sessions` engines, each driven by `producers` producers. */
async function rate(
  open: (index: number) => Promise<ContextEngine>,
  sessions: number,
  producers: number,
  perSession: number,
  pool: Message[],
): Promise<number> {
  const engines = await Promise.all(Array.from({ length: sessions }, (_, i) => open(i)));
  try {
    const started = performance.now();
    await Promise.all(engines.map((engine) => drive(engine, producers, perSession, pool)));
    return (sessions * perSession) / ((performance.now() - started) / 1000);
  } finally {
    await Promise.all(engines.map((engine) => engine.close()));
  }
}

/** No PostgreSQL here: the targeted rows show as SKIP. */
function skipped(): Figure[] {
  const why = 'PostgreSQL is not installed and CONTEXTLOG_PG_URL is not set';
  return [
    skip(
      `PostgreSQL: ${SESSIONS} sessions in parallel (4 producers each) vs one session (${PRODUCERS} producers)`,
      'msg/s',
      why,
      { atLeast: 1 },
    ),
    skip(
      `PostgreSQL: 1,000 open sessions, heap per session beyond its messages vs ${HEAP_BUDGET_KB} KB`,
      'KB',
      why,
      { atMost: 1 },
    ),
  ];
}

export const postgresScenario: Scenario = {
  id: 'postgres',
  title: `PostgreSQL store: ${PRODUCERS} producers on one session; ${SESSIONS} sessions in parallel (file store as baseline)`,
  async run(ctx) {
    const db = await openDatabase(ctx);
    if (db === undefined) return skipped();
    ctx.log(`postgres scenario on ${db.label}`);
    const pool = messagePool(1024);
    const oneSession = ctx.size(20_000, 1_000);
    const perSession = ctx.size(1_000, 50);
    let run = 0;
    const pgSession = () =>
      openPgSession({ client: db.client, sessionId: `bench-${++run}`, table: db.table });
    const fileSession = () =>
      openFileSession(path.join(ctx.tmpDir, `bench-${++run}.jsonl`), { durability: 'fsync' });
    try {
      const rounds = ctx.size(3, 1);
      const best = { pgOne: 0, fileOne: 0, pgMany: 0, fileMany: 0 };
      // Alternating ours and the baseline, keeping the best of each: both see the same noise.
      for (let round = 1; round <= rounds; round++) {
        const fileOne = await rate(fileSession, 1, PRODUCERS, oneSession, pool);
        const pgOne = await rate(pgSession, 1, PRODUCERS, oneSession, pool);
        const fileMany = await rate(fileSession, SESSIONS, 4, perSession, pool);
        const pgMany = await rate(pgSession, SESSIONS, 4, perSession, pool);
        ctx.log(
          `round ${round}/${rounds}: one session ${pgOne.toFixed(0)} msg/s (file ${fileOne.toFixed(0)}), ${SESSIONS} sessions ${pgMany.toFixed(0)} msg/s (file ${fileMany.toFixed(0)})`,
        );
        best.pgOne = Math.max(best.pgOne, pgOne);
        best.fileOne = Math.max(best.fileOne, fileOne);
        best.pgMany = Math.max(best.pgMany, pgMany);
        best.fileMany = Math.max(best.fileMany, fileMany);
      }
      // Reported for context, without targets: a server's figures depend on its disk and the
      // network hop, and PGlite in memory does not write to disk at all.
      const figures: Figure[] = [
        compare({
          name: `${db.label}: ${PRODUCERS} producers on one session vs file store (fsync)`,
          unit: 'msg/s',
          figure: best.pgOne,
          baseline: best.fileOne,
        }),
        compare({
          name: `${db.label}: ${SESSIONS} sessions in parallel (4 producers each) vs file store (fsync)`,
          unit: 'msg/s',
          figure: best.pgMany,
          baseline: best.fileMany,
        }),
        compare({
          name: `${db.label}: ${SESSIONS} sessions in parallel (4 producers each) vs one session (${PRODUCERS} producers)`,
          unit: 'msg/s',
          figure: best.pgMany,
          baseline: best.pgOne,
          target: { atLeast: 1 },
        }),
      ];
      const sessions = ctx.size(1000, 50);
      ctx.log(`heap of ${sessions} open sessions (a child process)`);
      const { heap } = await runChild('pg-heap', db.url, String(sessions), ['--expose-gc']);
      if (heap === undefined) throw new Error('the pg-heap child measured nothing');
      const beyond = (heap.sessionBytesPerSession - heap.messageBytesPerSession) / 1024;
      ctx.log(
        `${heap.sessions} sessions: ${(heap.sessionBytesPerSession / 1024).toFixed(1)} KB each, their ${HEAP_MESSAGES_PER_SESSION} messages in a plain array ${(heap.messageBytesPerSession / 1024).toFixed(1)} KB`,
      );
      figures.push(
        compare({
          name: `${db.label}: ${sessions.toLocaleString('en')} open sessions, heap per session beyond its messages vs ${HEAP_BUDGET_KB} KB`,
          unit: 'KB',
          figure: beyond,
          baseline: HEAP_BUDGET_KB,
          target: { atMost: 1 },
        }),
      );
      return figures;
    } finally {
      await db.close();
    }
  },
};
