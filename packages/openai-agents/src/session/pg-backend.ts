import { codeOf, createContext } from '@contextlog/core';
import type { PgClient } from '@contextlog/pg-adapter';
import { openAiAgentsDialect } from '../dialect/openai-agents-dialect.js';
import type { SessionBackend } from './backend.js';
import type { AgentsPgClient } from './pg-options.js';

/**
 * A session in a PostgreSQL table (session id = the SDK's session id). `@contextlog/pg-adapter`
 * is loaded here, on first use, so that a session file never needs it (nor `pg`) installed.
 * Other processes may write the same session: each call first compares the stored head with the
 * engine's and reloads when they differ; a write that loses a race is refused by the store
 * (`ConcurrencyError`) and retried by the session after a reload.
 */
export async function pgSessionBackend(
  pgClient: AgentsPgClient,
  table: string,
  sessionId: string,
): Promise<SessionBackend> {
  // What the caller passed is a PgClient made by pg-adapter; the type checked its shape.
  const client = pgClient as unknown as PgClient;
  const pg = await import('@contextlog/pg-adapter');
  await pg.migrate(client, { table });
  const { store, engine } = await openEngine(async () => {
    const store = await pg.openPgStore({ client, table, sessionId });
    try {
      return { store, engine: await createContext(store, { dialect: openAiAgentsDialect }) };
    } catch (error) {
      await store.close().catch(() => undefined);
      throw error;
    }
  });
  return {
    engine,
    async refresh() {
      if ((await store.lastSeq()) !== engine.state.seq) await engine.reload();
    },
  };
}

/**
 * Opens the engine, again if another process created the session at the same moment: both
 * write its `session.declared` at seq 1, and the store refuses the second (`ConcurrencyError`);
 * opened again, that one reads the declaration the other wrote.
 */
async function openEngine<T>(open: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await open();
    } catch (error) {
      if (codeOf(error) !== 'CONCURRENCY' || attempt >= 5) throw error;
    }
  }
}
