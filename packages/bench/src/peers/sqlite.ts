import type { Message } from '@contextlog/core';
import { createCommitQueue } from './commit-queue.js';
import type { Append, Opened } from './drive.js';
import { type Loaded, loadPeer } from './location.js';

/** The members of better-sqlite3 used here (its types are not installed in the workspace). */
export interface SqliteStatement {
  run(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  pluck(): SqliteStatement;
}

export interface SqliteDatabase {
  pragma(source: string): unknown;
  exec(sql: string): unknown;
  prepare(sql: string): SqliteStatement;
  transaction<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void;
  close(): unknown;
}

export type SqliteConstructor = new (file: string) => SqliteDatabase;

export const loadSqlite = (): Loaded<SqliteConstructor> =>
  loadPeer<SqliteConstructor>('better-sqlite3');

/** WAL with `synchronous=FULL`: every commit is fsync'd, as our `durability: 'fsync'`. */
export function openSqliteDatabase(Database: SqliteConstructor, file: string): SqliteDatabase {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(
    'CREATE TABLE IF NOT EXISTS message (session_id TEXT NOT NULL, seq INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (session_id, seq))',
  );
  return db;
}

export type SqliteVariant = 'per-call' | 'per-tick';

/**
 * A session as one row per message (as opencode stores a session's messages). `per-call`: each
 * append call is its own transaction (an autocommit INSERT; better-sqlite3 is synchronous, so
 * concurrent async callers cannot interleave); `per-tick`: the appends queued in the same tick (or
 * while a transaction commits) go in one transaction.
 */
export function openSqliteSession(
  Database: SqliteConstructor,
  file: string,
  variant: SqliteVariant,
  sessionId = 'bench',
): Opened {
  const db = openSqliteDatabase(Database, file);
  const insert = db.prepare('INSERT INTO message (session_id, seq, data) VALUES (?, ?, ?)');
  let seq = 0;
  const insertAll = db.transaction((messages: readonly Message[]) => {
    for (const message of messages) insert.run(sessionId, ++seq, JSON.stringify(message));
  });
  let append: Append;
  if (variant === 'per-call') {
    append = async (message) => {
      insert.run(sessionId, ++seq, JSON.stringify(message));
    };
  } else {
    const queue = createCommitQueue<Message>((batch) => insertAll(batch), Number.MAX_SAFE_INTEGER);
    append = (message) => queue.append(message);
  }
  return {
    append,
    close: async () => {
      db.close();
    },
  };
}

/** Writes `messages` as one session in one transaction (setting up a load, not measured). */
export function writeSqliteSession(
  Database: SqliteConstructor,
  file: string,
  messages: readonly Message[],
): void {
  const db = openSqliteDatabase(Database, file);
  try {
    const insert = db.prepare('INSERT INTO message (session_id, seq, data) VALUES (?, ?, ?)');
    db.transaction(() => {
      messages.forEach((message, i) => {
        insert.run('bench', i + 1, JSON.stringify(message));
      });
    })();
  } finally {
    db.close();
  }
}

/** Loads the session's messages into memory, parsed: its message count. */
export function loadSqliteSession(Database: SqliteConstructor, file: string): number {
  const db = openSqliteDatabase(Database, file);
  try {
    const rows = db
      .prepare('SELECT data FROM message WHERE session_id = ? ORDER BY seq')
      .pluck()
      .all('bench') as string[];
    const messages = rows.map((row) => JSON.parse(row) as Message);
    return messages.length;
  } finally {
    db.close();
  }
}
