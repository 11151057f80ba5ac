import { mkdir, readdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type ContextEngine, codeOf } from '@contextlog/core';
import {
  type Durability,
  deleteFileSession,
  openFileSession,
  readSessionFile,
} from '@contextlog/fs-adapter';
import { claudeCodeDialect } from '../dialect/claude-code-dialect.js';
import type { ClaudeEntry } from '../dialect/claude-entry.js';
import { idOfName, type KeyNames } from '../key/session-key.js';
import type { ListedSession, TranscriptBackend } from './backend.js';
import { lastMarkerOfFile } from './last-marker.js';
import { lastMarkerOf } from './plan-append.js';

const EXTENSION = '.jsonl';

export interface FileBackendOptions {
  readonly dir: string;
  readonly lockWaitMs: number;
  readonly durability: Durability | undefined;
}

/**
 * Transcripts as session files: `<dir>/<project>/<session>.jsonl` for a main transcript and
 * `<dir>/<project>/<session>/<subpath>.jsonl` for a subagent's (names from `keyNames`). A writer
 * opens the file for one append and closes it, so the writer lock (waited for, up to
 * `lockWaitMs`) serializes the appends of every process, and each append plans against the file
 * as it is (its uuids, its last summary).
 */
export function fileBackend(options: FileBackendOptions): TranscriptBackend {
  const { dir, lockWaitMs, durability } = options;
  const projectDir = (project: string) => join(dir, project);
  const pathOf = (names: KeyNames) =>
    names.subpath === undefined
      ? join(dir, names.project, `${names.session}${EXTENSION}`)
      : join(dir, names.project, names.session, `${names.subpath}${EXTENSION}`);
  const lock = { waitMs: lockWaitMs };

  async function readMessages(path: string): Promise<ClaudeEntry[] | undefined> {
    try {
      const { state } = await readSessionFile(path, { dialects: [claudeCodeDialect] });
      const messages = state.messages as unknown as ClaudeEntry[];
      // A session created by a writer that died before its first batch: never written.
      return messages.length === 0 ? undefined : messages;
    } catch (error) {
      const code = codeOf(error);
      if (code === 'SESSION_NOT_FOUND' || code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async function markerOf(path: string) {
    return (await lastMarkerOfFile(path)) ?? lastMarkerOf((await readMessages(path)) ?? []);
  }

  /** The decoded ids of the session files in `folder` that were written. */
  async function writtenIn(folder: string): Promise<ListedSession[]> {
    const names = await readdir(folder).catch((error: unknown) => {
      if (codeOf(error) === 'ENOENT') return [] as string[];
      throw error;
    });
    const listed: ListedSession[] = [];
    for (const name of names) {
      if (!name.endsWith(EXTENSION)) continue;
      const sessionId = idOfName(name.slice(0, -EXTENSION.length));
      if (sessionId === undefined) continue; // not a transcript of this store
      const marker = await markerOf(join(folder, name)).catch((error: unknown) => {
        if (codeOf(error) === 'ENOENT') return undefined; // deleted meanwhile
        throw error;
      });
      if (marker !== undefined) listed.push({ sessionId, marker });
    }
    return listed;
  }

  async function deleteFile(path: string): Promise<void> {
    try {
      await deleteFileSession(path, { lock });
    } catch (error) {
      if (codeOf(error) !== 'SESSION_NOT_FOUND') throw error;
    }
  }

  return {
    async append(_key, names, plan) {
      const path = pathOf(names);
      await mkdir(join(path, '..'), { recursive: true });
      const engine: ContextEngine<ClaudeEntry> = await openFileSession(path, {
        dialect: claudeCodeDialect,
        lock,
        ...(durability === undefined ? {} : { durability }),
      });
      try {
        const stored = engine.state.messages;
        const messages = plan(stored.length === 0 ? undefined : stored);
        if (messages !== undefined) await engine.appendMessages(messages as ClaudeEntry[]);
      } finally {
        await engine.close();
      }
    },
    messages: (names) => readMessages(pathOf(names)),
    listSessions: (project) => writtenIn(projectDir(project)),
    async listSubkeys(project, session) {
      return (await writtenIn(join(projectDir(project), session))).map((s) => s.sessionId);
    },
    async delete(names) {
      await deleteFile(pathOf(names));
      if (names.subpath !== undefined) return;
      const folder = join(projectDir(names.project), names.session);
      const inside = await readdir(folder).catch(() => [] as string[]);
      for (const name of inside) {
        if (name.endsWith(EXTENSION) && !name.startsWith('.')) await deleteFile(join(folder, name));
      }
      // Left when it still holds torn tails kept aside (deleteFileSession never deletes those).
      await rmdir(folder).catch(() => undefined);
    },
    close: async () => {},
  };
}
