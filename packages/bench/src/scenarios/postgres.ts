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
import { compare, type Figure, type Scenario } from '../scenario.js';

const PRODUCERS = 64;
const SESSIONS = 16;

interface Database {
  readonly label: string;
  readonly client: PgClient;
  readonly table: string;
  readonly real: boolean;
  close(): Promise<void>;
}

/**
 * A real server when CONTEXTLOG_PG_URL is set (a schema of its own, dropped afterwards), else
 * PGlite in memory: PostgreSQL in WASM in this process, with no disk and no fsync, so its
 * figures say what the adapter costs, not what a durable server does.
 */
async function openDatabase(): Promise<Database> {
  const url = process.env.CONTEXTLOG_PG_URL;
  if (url === undefined || url === '') {
    const client = await createPgliteClient();
    await migrate(client, { table: 'bench_events' });
    return {
      label: 'PGlite in memory',
      client,
      table: 'bench_events',
      real: false,
      close: () => client.end(),
    };
  }
  const client = createPgClient(url, { max: SESSIONS + 4 });
  const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
  const schema = `contextlog_bench_${process.pid}_${Date.now()}`;
  await client.query(`CREATE SCHEMA "${schema}"`);
  const table = `${schema}.events`;
  await migrate(client, { table });
  return {
    label: `PostgreSQL ${rows[0]?.server_version.split(' ')[0] ?? '?'} server`,
    client,
    table,
    real: true,
    close: async () => {
      await client.query(`DROP SCHEMA "${schema}" CASCADE`);
      await client.end();
    },
  };
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

export const postgresScenario: Scenario = {
  id: 'postgres',
  title: `PostgreSQL store: ${PRODUCERS} producers on one session; ${SESSIONS} sessions in parallel (file store as baseline)`,
  async run(ctx) {
    const db = await openDatabase();
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
      const rounds = ctx.size(2, 1);
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
      ];
      return figures;
    } finally {
      await db.close();
    }
  },
};
