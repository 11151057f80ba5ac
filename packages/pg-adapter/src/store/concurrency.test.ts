import {
  type ContextEngine,
  createContext,
  hasCode,
  type StoredEvent,
  stateToJson,
} from '@contextlog/core';
import { foldEvents } from '@contextlog/core/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PgClient } from '../client/types.js';
import { migrate } from '../schema/migrate.js';
import { BACKENDS, openTestDb, type TestDb } from '../testing/backends.js';
import { openPgStore } from './pg-store.js';

const PRODUCERS = 16;
const COMMANDS = 10;

async function loadAll(client: PgClient, sessionId: string, table: string) {
  const out: StoredEvent[] = [];
  for await (const event of (await openPgStore({ client, sessionId, table })).load())
    out.push(event);
  return out;
}

interface Outcome {
  resolved: string[];
  rejected: string[];
  conflicts: number;
  reloads: { seq: number; json: unknown }[];
}

/** Many producers on one engine; after a ConcurrencyError a producer reloads and goes on. */
async function produce(engine: ContextEngine, name: string): Promise<Outcome> {
  const outcome: Outcome = { resolved: [], rejected: [], conflicts: 0, reloads: [] };
  await Promise.all(
    Array.from({ length: PRODUCERS }, async (_, producer) => {
      for (let i = 0; i < COMMANDS; i++) {
        const text = `${name}-${producer}-${i}`;
        try {
          await engine.appendMessages({ role: 'user', content: text });
          outcome.resolved.push(text);
        } catch (error) {
          outcome.rejected.push(text);
          if (!hasCode(error, 'CONCURRENCY')) throw error;
          outcome.conflicts++;
          const state = await engine.reload();
          outcome.reloads.push({ seq: state.seq, json: stateToJson(state) });
        }
      }
    }),
  );
  return outcome;
}

describe.each(BACKENDS)('two engines writing one session on %s', (kind) => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb(kind);
  });
  afterAll(async () => {
    await db?.close();
  });

  // Named statements (the default) and unnamed ones (for poolers in transaction mode).
  it.each([true, false])(
    `every command commits or fails with ConcurrencyError; the log has no gap (${kind === 'postgres' ? 'two pools' : 'one PGlite'}, preparedStatements %s)`,
    async (preparedStatements) => {
      const table = db.table('race');
      await migrate(db.client, { table });
      const sessionId = 'shared';
      const clients = kind === 'postgres' ? [db.newPool(4), db.newPool(4)] : [db.client, db.client];
      const engines = await Promise.all(
        clients.map(async (client) =>
          createContext(await openPgStore({ client, sessionId, table, preparedStatements })),
        ),
      );
      const outcomes = await Promise.all(engines.map((engine, i) => produce(engine, `e${i}`)));
      const stored = await loadAll(db.client, sessionId, table);

      expect(stored.map((event) => event.seq)).toEqual(stored.map((_, i) => i + 1));
      const storedTexts = stored.flatMap((event) =>
        event.type === 'messages.appended' ? event.data.messages.map((m) => m.content) : [],
      );
      expect(new Set(storedTexts).size).toBe(storedTexts.length);
      const resolved = outcomes.flatMap((o) => o.resolved);
      const rejected = outcomes.flatMap((o) => o.rejected);
      expect(resolved.length + rejected.length).toBe(2 * PRODUCERS * COMMANDS);
      expect(new Set(storedTexts)).toEqual(new Set(resolved));
      expect(outcomes.every((o) => o.resolved.length > 0)).toBe(true);
      expect(outcomes.reduce((n, o) => n + o.conflicts, 0)).toBeGreaterThan(0);

      // Each reload replayed to the stored state as it was at that seq.
      for (const outcome of outcomes) {
        for (const { seq, json } of outcome.reloads) {
          expect(json).toEqual(stateToJson(foldEvents(stored.filter((event) => event.seq <= seq))));
        }
      }
      for (const engine of engines) {
        const state = await engine.reload();
        expect(stateToJson(state)).toEqual(stateToJson(foldEvents(stored)));
        await engine.close();
      }
    },
  );
});
