import { openFileSession } from '@contextlog/fs-adapter';
import { openAiAgentsDialect } from '../dialect/openai-agents-dialect.js';
import type { SessionBackend } from './backend.js';

/**
 * A session file, created if missing (its directory must exist). The file store's writer lock
 * makes this engine the file's only writer: a second process opening it gets `SessionLockedError`.
 */
export async function fileSessionBackend(path: string): Promise<SessionBackend> {
  const engine = await openFileSession(path, { dialect: openAiAgentsDialect });
  return { engine, refresh: async () => {} };
}
