import type { Message } from '@contextlog/core';
import type { Opened } from './drive.js';
import { type Loaded, loadPeer } from './location.js';

interface EmmettEvent {
  readonly type: 'MessageAppended';
  readonly data: { readonly message: Message };
}

/** The members of Emmett's PostgreSQL event store used here. */
export interface EmmettStore {
  appendToStream(
    stream: string,
    events: EmmettEvent[],
    options?: { expectedStreamVersion?: bigint | string },
  ): Promise<{ nextExpectedStreamVersion: bigint }>;
  readStream(
    stream: string,
    options?: { from?: bigint },
  ): Promise<{ currentStreamVersion: bigint; events: { data: { message: Message } }[] }>;
  close(): Promise<void>;
}

interface EmmettPostgresModule {
  getPostgreSQLEventStore(url: string): EmmettStore;
}

interface EmmettModule {
  isExpectedVersionConflictError(error: unknown): boolean;
  NO_CONCURRENCY_CHECK: string;
}

export interface EmmettModules {
  readonly postgres: EmmettPostgresModule;
  readonly core: EmmettModule;
}

export function loadEmmett(): Loaded<EmmettModules> {
  const postgres = loadPeer<EmmettPostgresModule>('@event-driven-io/emmett-postgresql');
  if (!postgres.ok) return postgres;
  const core = loadPeer<EmmettModule>('@event-driven-io/emmett');
  if (!core.ok) return core;
  return { ok: true, module: { postgres: postgres.module, core: core.module } };
}

const event = (message: Message): EmmettEvent => ({ type: 'MessageAppended', data: { message } });

export type EmmettVariant = 'retry' | 'no-check';

/**
 * A session as one Emmett stream, one `appendToStream` per command. `retry`: each append states
 * the stream version it last knew; on a conflict it catches up (reads the stream from there, as a
 * command handler's aggregate does) and retries at once (its docs' `CommandHandler` retries on
 * version conflicts; its default of 3 retries with a 100 ms backoff would fail most of 64
 * concurrent commands, so this is the kinder variant). `no-check`: `NO_CONCURRENCY_CHECK`; the
 * store still reads the stream's position and inserts after it in one statement, so concurrent
 * appends collide on the position's unique key and fail with the same conflict error: retried at
 * once. Every retry is counted in `retries()`.
 */
export function openEmmettStream(
  { core }: EmmettModules,
  store: EmmettStore,
  stream: string,
  variant: EmmettVariant,
): Opened & { retries(): number } {
  let known = 0n;
  let retries = 0;
  const append = async (message: Message) => {
    for (;;) {
      try {
        const expectedStreamVersion = variant === 'retry' ? known : core.NO_CONCURRENCY_CHECK;
        const { nextExpectedStreamVersion } = await store.appendToStream(stream, [event(message)], {
          expectedStreamVersion,
        });
        if (nextExpectedStreamVersion > known) known = nextExpectedStreamVersion;
        return;
      } catch (error) {
        if (!core.isExpectedVersionConflictError(error)) throw error;
        retries++;
        if (variant === 'retry') {
          const { currentStreamVersion, events } = await store.readStream(stream, {
            from: known + 1n,
          });
          if (events.length > 0 && currentStreamVersion > known) known = currentStreamVersion;
        }
      }
    }
  };
  return { append, close: async () => undefined, retries: () => retries };
}

/** Writes `messages` to `stream` in chunks of 1,000 events (setting up a load, not measured). */
export async function writeEmmettStream(
  { core }: EmmettModules,
  store: EmmettStore,
  stream: string,
  messages: readonly Message[],
): Promise<void> {
  for (let i = 0; i < messages.length; i += 1000) {
    await store.appendToStream(stream, messages.slice(i, i + 1000).map(event), {
      expectedStreamVersion: core.NO_CONCURRENCY_CHECK,
    });
  }
}

/** Reads the whole stream into memory (what loading a session is): its message count. */
export async function loadEmmettStream(store: EmmettStore, stream: string): Promise<number> {
  const { events } = await store.readStream(stream);
  return events.map((e) => e.data.message).length;
}
