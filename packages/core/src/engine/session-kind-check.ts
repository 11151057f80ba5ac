import { type Dialect, dialectLabel, sameDialect } from '../dialect/dialect.js';
import type { TokenEstimator } from '../dialect/estimator.js';
import { createEventParser } from '../dialect/event-parser.js';
import {
  createKindResolver,
  DEFAULT_KIND,
  type DialectOptions,
  type ResolveKind,
  type SessionKind,
} from '../dialect/session-kind.js';
import { CorruptSessionError, DialectMismatchError, describeError } from '../errors/index.js';
import type { StoredEvent } from '../events/schemas.js';
import { markValidated } from '../events/validated.js';
import { createFold } from '../projection/fold.js';
import { type ContextState, fieldsOf } from '../projection/state.js';
import type { EventStore } from '../store/event-store.js';
import { createEventBuilders } from './event-builders.js';

/** A session as an engine opens it: its state, and how to read it again. */
export interface OpenedSession {
  readonly state: ContextState;
  readonly resolve: ResolveKind;
  /** Replays the store again, checked as at open; `onEvent` sees each event as the store gives it. */
  load(onEvent?: (event: StoredEvent) => void): Promise<ContextState>;
}

const CARRIES_MESSAGES: ReadonlySet<string> = new Set([
  'messages.appended',
  'checkpoint.created',
  'context.compacted',
  'state.snapshotted',
  'session.declared',
  'messages.replaced',
  'message.replaced',
]);

/**
 * Replays `store` for an engine of `dialect`. Stores check messages only for kimi-cli's dialect
 * (the one they know): a session of another dialect has its messages checked here, against the
 * engine's dialect, so no engine ever holds a message its dialect refuses. A new session that is
 * not kimi-cli's gets its `session.declared` event now, before any command.
 */
export async function openSessionKind(
  store: EventStore,
  dialect: Dialect<unknown>,
  estimator: TokenEstimator | undefined,
  clock: () => Date,
): Promise<OpenedSession> {
  const options: DialectOptions = {
    dialects: [dialect],
    ...(estimator === undefined ? {} : { estimators: [estimator] }),
  };
  const resolve = createKindResolver(options);
  const refuseOther = (kind: SessionKind) => {
    if (!sameDialect(kind.dialect, dialect)) {
      throw new DialectMismatchError('dialect', dialectLabel(kind.dialect), dialectLabel(dialect));
    }
    if (estimator !== undefined && estimator.name !== kind.estimator) {
      throw new DialectMismatchError('estimator', kind.estimator, estimator.name);
    }
  };

  const load = async (onEvent?: (event: StoredEvent) => void): Promise<ContextState> => {
    const fold = createFold(undefined, options);
    const parser = createEventParser(options);
    const take = (event: StoredEvent): void => {
      if (
        CARRIES_MESSAGES.has(event.type) &&
        (parser.kind !== DEFAULT_KIND ||
          event.type === 'session.declared' ||
          event.type === 'state.snapshotted')
      ) {
        try {
          parser.parse(event);
        } catch (error) {
          throw new CorruptSessionError(
            'session',
            undefined,
            undefined,
            `seq ${event.seq} (${event.type}): ${describeError(error)}`,
            { cause: error },
          );
        }
        if (event.type === 'session.declared' || event.type === 'state.snapshotted') {
          refuseOther(parser.kind);
        }
      }
      fold.apply(event);
      onEvent?.(event);
    };
    if (store.loadBatches === undefined) {
      for await (const event of store.load()) take(event);
    } else {
      for await (const batch of store.loadBatches()) for (const event of batch) take(event);
    }
    const state = fold.state;
    if (state.seq > 0) refuseOther(fieldsOf(state).kind);
    return state;
  };

  let state = await load();
  const wanted = resolve(dialect, estimator?.name);
  if (state.seq === 0 && !wanted.isDefault) {
    // Validated as every command's data; a declaration is fixed, its command is the event.
    const { data } = createEventBuilders(dialect, () => wanted).declaration(wanted).command;
    const event = Object.freeze({
      seq: 1,
      type: 'session.declared',
      v: 1,
      at: clock().toISOString(),
      data,
    }) as StoredEvent;
    await store.append(markValidated([event]), { expectedSeq: 0 });
    const fold = createFold(state, options);
    fold.apply(event);
    state = fold.state;
  }
  return { state, resolve, load };
}
