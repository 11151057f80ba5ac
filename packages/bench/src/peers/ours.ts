import { type ContextEngine, type Message, messageCount } from '@contextlog/core';
import { openFileSession } from '@contextlog/fs-adapter';
import { openPgSession, type PgClient } from '@contextlog/pg-adapter';
import type { Opened } from './drive.js';

/** Our file session with `durability: 'fsync'`, as the peers' rows are compared with. */
export async function openOursFile(file: string): Promise<Opened> {
  const engine = await openFileSession(file, { durability: 'fsync' });
  return { append: (message) => engine.appendMessages(message), close: () => engine.close() };
}

export interface OursPg {
  readonly client: PgClient;
  readonly table: string;
}

export async function openOursPg({ client, table }: OursPg, sessionId: string): Promise<Opened> {
  const engine = await openPgSession({ client, sessionId, table });
  return { append: (message) => engine.appendMessages(message), close: () => engine.close() };
}

/**
 * Writes `messages` one event each, as producers' one-message appends write a session (1,000
 * calls at a time, so they group-commit: setting up a load, not measured).
 */
async function writeAll(engine: ContextEngine, messages: readonly Message[]): Promise<void> {
  try {
    for (let i = 0; i < messages.length; i += 1000) {
      await Promise.all(messages.slice(i, i + 1000).map((m) => engine.appendMessages(m)));
    }
  } finally {
    await engine.close();
  }
}

export async function writeOursFile(file: string, messages: readonly Message[]): Promise<void> {
  await writeAll(await openFileSession(file, { durability: 'os' }), messages);
}

export async function writeOursPg(db: OursPg, id: string, messages: readonly Message[]) {
  await writeAll(
    await openPgSession({ client: db.client, sessionId: id, table: db.table }),
    messages,
  );
}

/** Opening a session replays it into memory: its message count. */
export async function loadOursFile(file: string): Promise<number> {
  const engine = await openFileSession(file);
  try {
    return messageCount(engine.state);
  } finally {
    await engine.close();
  }
}

export async function loadOursPg({ client, table }: OursPg, sessionId: string): Promise<number> {
  const engine = await openPgSession({ client, sessionId, table });
  try {
    return messageCount(engine.state);
  } finally {
    await engine.close();
  }
}
