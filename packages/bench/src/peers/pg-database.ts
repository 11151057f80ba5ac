import { setTimeout as sleep } from 'node:timers/promises';
import { createPgClient, migrate, type PgClient } from '@contextlog/pg-adapter';

export interface BenchDatabase {
  /** The URL of a database of this run's own, dropped by `drop`. */
  readonly url: string;
  /** Our client on it, with our events table migrated. */
  readonly client: PgClient;
  readonly table: string;
  readonly version: string;
  drop(): Promise<void>;
}

/**
 * A fresh database on the server at `serverUrl` for this run, so that the peers' own tables
 * (Emmett's, LangGraph's) and ours start empty and leave nothing behind.
 */
export async function createBenchDatabase(serverUrl: string): Promise<BenchDatabase> {
  const admin = createPgClient(serverUrl, { max: 1 });
  const name = `contextlog_bench_peers_${process.pid}_${Date.now()}`;
  try {
    const { rows } = await admin.query<{ server_version: string }>('SHOW server_version');
    await admin.query(`CREATE DATABASE "${name}"`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    const client = createPgClient(url.toString(), { max: 10 });
    const table = 'events';
    await migrate(client, { table });
    return {
      url: url.toString(),
      client,
      table,
      version: rows[0]?.server_version.split(' ')[0] ?? '?',
      drop: async () => {
        await client.end();
        const dropper = createPgClient(serverUrl, { max: 1 });
        try {
          // The peers' pools close their connections asynchronously (and an idle one closes
          // itself within 10 s): wait for them, since terminating them (FORCE) makes their pools
          // emit an 'error' nobody listens to, which ends the process.
          for (let i = 0; i < 150; i++) {
            const { rows: open } = await dropper.query<{ n: string }>(
              'SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1',
              [name],
            );
            if (Number(open[0]?.n ?? 0) === 0) break;
            await sleep(100);
          }
          await dropper.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        } finally {
          await dropper.end();
        }
      },
    };
  } finally {
    await admin.end();
  }
}
