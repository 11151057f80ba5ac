import { type ContextEngine, type ContextOptions, createContext } from '@contextlog/core';
import { openPgStore, type PgStoreOptions } from './store/pg-store.js';

export type PgSessionOptions = PgStoreOptions & ContextOptions;

/** A context engine on a session in PostgreSQL: `createContext(await openPgStore(options), options)`. */
export async function openPgSession(options: PgSessionOptions): Promise<ContextEngine> {
  const { maxPending, clock } = options;
  return createContext(await openPgStore(options), {
    ...(maxPending === undefined ? {} : { maxPending }),
    ...(clock === undefined ? {} : { clock }),
  });
}
