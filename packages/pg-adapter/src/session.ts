import {
  type ContextEngine,
  type ContextOptions,
  createContext,
  type Message,
} from '@contextlog/core';
import { openPgStore, type PgStoreOptions } from './store/pg-store.js';

export type PgSessionOptions<M = Message> = PgStoreOptions & ContextOptions<M>;

/** A context engine on a session in PostgreSQL: `createContext(await openPgStore(options), options)`. */
export async function openPgSession<M = Message>(
  options: PgSessionOptions<M>,
): Promise<ContextEngine<M>> {
  const { maxPending, clock, dialect, estimator } = options;
  const store = await openPgStore(options);
  try {
    return await createContext<M>(store, {
      ...(maxPending === undefined ? {} : { maxPending }),
      ...(clock === undefined ? {} : { clock }),
      ...(dialect === undefined ? {} : { dialect }),
      ...(estimator === undefined ? {} : { estimator }),
    });
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
}
