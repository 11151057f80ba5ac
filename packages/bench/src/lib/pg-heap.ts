import type { ContextEngine, Message } from '@contextlog/core';
import {
  createPgClient,
  createPgliteClient,
  migrate,
  openPgSession,
  type PgClient,
} from '@contextlog/pg-adapter';
import { messagePool } from '../data/messages.js';

/** Messages each open session holds, appended in batches of 5 (a few turns of an agent). */
export const HEAP_MESSAGES_PER_SESSION = 20;
const BATCH = 5;
/** Sessions opened (and appended to) at a time. */
const OPENING = 50;

export interface PgHeapResult {
  readonly sessions: number;
  /** Heap the messages take in a plain array, per session. */
  readonly messageBytesPerSession: number;
  /** Heap the open sessions take, their messages included, per session. */
  readonly sessionBytesPerSession: number;
}

/** Heap in use once garbage has been collected (needs `--expose-gc`). */
function heapAfterGc(): number {
  const { gc } = globalThis as { gc?: () => void };
  if (gc === undefined) throw new Error('pg-heap needs node --expose-gc');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/**
 * What `sessions` open PostgreSQL sessions cost in one process's heap, against the same messages
 * held in a plain array: each message is parsed from its JSON text (so neither shares its objects
 * or strings with the other), the array is measured and dropped, then the sessions are opened on
 * one client, given their messages through `appendMessages`, and measured while open. `url`
 * `pglite` runs on PGlite in this process (whose own heap is then counted as the sessions').
 */
export async function measurePgHeap(url: string, sessions: number): Promise<PgHeapResult> {
  const texts = messagePool(1024).map((message) => JSON.stringify(message));
  const messagesOf = (session: number, from: number, count: number): Message[] =>
    Array.from(
      { length: count },
      (_, i) =>
        JSON.parse(
          texts[(session * HEAP_MESSAGES_PER_SESSION + from + i) % texts.length] as string,
        ) as Message,
    );
  const client: PgClient =
    url === 'pglite' ? await createPgliteClient() : createPgClient(url, { max: 8 });
  const schema = url === 'pglite' ? undefined : `contextlog_bench_heap_${process.pid}`;
  if (schema !== undefined) await client.query(`CREATE SCHEMA "${schema}"`);
  const table = schema === undefined ? 'heap_events' : `${schema}.events`;
  await migrate(client, { table });
  const engines: ContextEngine[] = [];
  try {
    const before = heapAfterGc();
    let kept: Message[][] | undefined = Array.from({ length: sessions }, (_, s) =>
      messagesOf(s, 0, HEAP_MESSAGES_PER_SESSION),
    );
    const messageBytes = heapAfterGc() - before;
    if (kept.length !== sessions) throw new Error('lost the baseline messages');
    kept = undefined;

    const empty = heapAfterGc();
    for (let first = 0; first < sessions; first += OPENING) {
      const opened = await Promise.all(
        Array.from({ length: Math.min(OPENING, sessions - first) }, async (_, i) => {
          const engine = await openPgSession({ client, sessionId: `heap-${first + i}`, table });
          for (let from = 0; from < HEAP_MESSAGES_PER_SESSION; from += BATCH) {
            await engine.appendMessages(messagesOf(first + i, from, BATCH));
          }
          return engine;
        }),
      );
      engines.push(...opened);
    }
    const sessionBytes = heapAfterGc() - empty;
    const held = engines.reduce((n, engine) => n + engine.state.messages.length, 0);
    if (held !== sessions * HEAP_MESSAGES_PER_SESSION) {
      throw new Error(`the sessions hold ${held} messages`);
    }
    return {
      sessions,
      messageBytesPerSession: messageBytes / sessions,
      sessionBytesPerSession: sessionBytes / sessions,
    };
  } finally {
    await Promise.all(engines.map((engine) => engine.close()));
    if (schema !== undefined) await client.query(`DROP SCHEMA "${schema}" CASCADE`);
    await client.end();
  }
}
