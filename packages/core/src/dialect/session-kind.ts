import type { StoredEvent } from '../events/schemas.js';
import {
  type Dialect,
  type DialectRef,
  dialectLabel,
  kimiDialect,
  sameDialect,
} from './dialect.js';
import { kimiEstimator, type TokenEstimator } from './estimator.js';

const kindKey = (dialect: DialectRef, estimator: string) =>
  `${dialectLabel(dialect)}\u0000${estimator}`;

/** The dialects and estimators a reader or engine knows besides the defaults (always known). */
export interface DialectOptions {
  readonly dialects?: readonly Dialect[];
  readonly estimators?: readonly TokenEstimator[];
}

/**
 * What a session declared (its dialect and estimator), with the code this reader has for them.
 * A class, so the engine's immer draft of the state never drafts it.
 */
export class SessionKind {
  constructor(
    readonly dialect: DialectRef,
    readonly estimator: string,
    /** The declared dialect's code, when this reader knows it. */
    readonly knownDialect: Dialect | undefined,
    readonly knownEstimator: TokenEstimator | undefined,
  ) {}

  get isDefault(): boolean {
    return sameDialect(this.dialect, kimiDialect) && this.estimator === kimiEstimator.name;
  }

  /** The text a message adds to the pending estimate; 0 when the dialect is unknown. */
  textLength(message: unknown): number {
    return this.knownDialect === undefined ? 0 : this.knownDialect.textLength(message);
  }

  /**
   * The pending-token estimate, or null when this reader cannot make it: it does not know the
   * estimator, or the dialect that measures the text.
   */
  estimate(textLength: number): number | null {
    if (this.knownDialect === undefined || this.knownEstimator === undefined) return null;
    return this.knownEstimator.estimate(textLength);
  }
}

export const DEFAULT_KIND = new SessionKind(
  Object.freeze({ name: kimiDialect.name, version: kimiDialect.version }),
  kimiEstimator.name,
  kimiDialect,
  kimiEstimator,
);

/** Finds the session kind for a declaration; absent parts are the defaults. */
export type ResolveKind = (
  dialect: DialectRef | undefined,
  estimator: string | undefined,
) => SessionKind;

export const resolveDefaultKind: ResolveKind = createKindResolver();

export function createKindResolver(options: DialectOptions = {}): ResolveKind {
  const dialects = [kimiDialect, ...(options.dialects ?? [])];
  const estimators = [kimiEstimator, ...(options.estimators ?? [])];
  // Every resolver gives the one DEFAULT_KIND for the defaults, so `kind === DEFAULT_KIND` holds.
  const cache = new Map<string, SessionKind>([
    [kindKey(DEFAULT_KIND.dialect, kimiEstimator.name), DEFAULT_KIND],
  ]);
  return (dialect, estimator) => {
    const ref = dialect ?? DEFAULT_KIND.dialect;
    const estimatorName = estimator ?? kimiEstimator.name;
    const key = kindKey(ref, estimatorName);
    let kind = cache.get(key);
    if (kind === undefined) {
      kind = new SessionKind(
        Object.freeze({ name: ref.name, version: ref.version }),
        estimatorName,
        dialects.find((known) => sameDialect(known, ref)),
        estimators.find((known) => known.name === estimatorName),
      );
      cache.set(key, kind);
    }
    return kind;
  };
}

/** One line per part of a session kind that this reader does not know, for diagnostics. */
export function unknownParts(kind: SessionKind): string[] {
  const notes: string[] = [];
  if (kind.knownDialect === undefined) {
    notes.push(
      `the session's dialect ${dialectLabel(kind.dialect)} is not known here: its messages are read as JSON objects, unchecked, and the pending-token estimate is unknown`,
    );
  }
  if (kind.knownEstimator === undefined) {
    notes.push(
      `the session's token estimator "${kind.estimator}" is not known here: the pending-token estimate is unknown`,
    );
  }
  return notes;
}

/**
 * The kind a log has after `events`, starting from `kind`: only a declaration or a snapshot
 * changes it. For stores, which track it to validate the batches they are handed.
 */
export function kindAfter(
  kind: SessionKind,
  events: Iterable<StoredEvent>,
  resolve: ResolveKind = resolveDefaultKind,
): SessionKind {
  let after = kind;
  for (const event of events) {
    if (event.type === 'session.declared') {
      after = resolve(event.data.dialect, event.data.estimator);
    } else if (event.type === 'state.snapshotted') {
      after = resolve(event.data.state.dialect, event.data.state.estimator);
    }
  }
  return after;
}
