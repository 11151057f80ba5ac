import { type ContextEngine, type ContextOptions, createContext } from '@contextlog/core';
import { createPgStore, type PgStoreOptions } from './store/pg-store.js';

export type PgSessionOptions = PgStoreOptions & ContextOptions;

/** A context engine on a session in PostgreSQL: `createContext(createPgStore(options), options)`. */
export function openPgSession(options: PgSessionOptions): Promise<ContextEngine> {
  const { maxPending, clock } = options;
  return createContext(createPgStore(options), {
    ...(maxPending === undefined ? {} : { maxPending }),
    ...(clock === undefined ? {} : { clock }),
  });
}
