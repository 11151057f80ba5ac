import {
  type ContextEngine,
  type ContextOptions,
  createContext,
  type Message,
} from '@contextlog/core';
import { type FileStoreOptions, openStore } from './file-store.js';

export type FileSessionOptions<M = Message> = FileStoreOptions & ContextOptions<M>;
/** @deprecated use `FileSessionOptions`. */
export type OpenSessionOptions = FileSessionOptions;

/**
 * A context engine on a session file: `createContext(await openFileStore(path, options))`, except
 * that the file is validated by the engine's own first `load()` (one read of the file, not two).
 */
export async function openFileSession<M = Message>(
  path: string,
  options: FileSessionOptions<M> = {},
): Promise<ContextEngine<M>> {
  const store = await openStore(path, { ...options, eager: false });
  try {
    return await createContext(store, options);
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
}

/** @deprecated use `openFileSession` (the same function, named like `openPgSession`). */
export const openSession = openFileSession;
