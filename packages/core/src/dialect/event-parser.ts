import { z } from 'zod';
import { isRecord } from '../events/json.js';
import {
  type EventParsers,
  eventParsersFor,
  type ParseStoredEventOptions,
  parseStoredEventWith,
} from '../events/parse.js';
import type { StoredEvent } from '../events/schemas.js';
import type { DialectRef } from './dialect.js';
import {
  createKindResolver,
  DEFAULT_KIND,
  type DialectOptions,
  type SessionKind,
  unknownParts,
} from './session-kind.js';

/** A message of a dialect this reader does not know: kept as the JSON object it is. */
const UNKNOWN_DIALECT_MESSAGE = z.custom<Record<string, unknown>>(
  (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  { message: 'expected a message object' },
);

/**
 * Parses a session's events in seq order, validating each message with the dialect the session
 * declared (in `session.declared`, or in the snapshot it starts from). A dialect this reader does
 * not know is read as JSON objects and noted in `diagnostics`; it never fails the read.
 */
export interface EventParser {
  parse(raw: unknown, options?: Pick<ParseStoredEventOptions, 'parsedFromJson'>): StoredEvent;
  /** What the events parsed so far declared. */
  readonly kind: SessionKind;
  /** One line per dialect or estimator met that this reader does not know. */
  readonly diagnostics: readonly string[];
  /** The schema a message of the session has now (its declared dialect's). */
  readonly messageSchema: z.ZodType;
}

export interface EventParserOptions extends DialectOptions {
  /** What the events before the first one parsed here declared (a store appending to its log). */
  readonly kind?: SessionKind;
}

export function createEventParser(options: EventParserOptions = {}): EventParser {
  const resolve = createKindResolver(options);
  const diagnostics: string[] = [];
  let kind = options.kind ?? DEFAULT_KIND;
  let parsers = parsersOf(kind);
  const declare = (next: SessionKind) => {
    if (next === kind) return;
    kind = next;
    parsers = parsersOf(kind);
    for (const note of unknownParts(kind)) if (!diagnostics.includes(note)) diagnostics.push(note);
  };
  return {
    parse(raw, parseOptions) {
      // A snapshot's messages are in its own dialect, which it names: switch before validating.
      const snapshotKind = peekSnapshotKind(raw);
      if (snapshotKind !== undefined)
        declare(resolve(snapshotKind.dialect, snapshotKind.estimator));
      const event = parseStoredEventWith(parsers, raw, parseOptions);
      if (event.type === 'session.declared') {
        declare(resolve(event.data.dialect, event.data.estimator));
      }
      return event;
    },
    get kind() {
      return kind;
    },
    get messageSchema() {
      return messageSchemaOf(kind);
    },
    diagnostics,
  };
}

function messageSchemaOf(kind: SessionKind): z.ZodType {
  return kind.knownDialect?.schema ?? UNKNOWN_DIALECT_MESSAGE;
}

function parsersOf(kind: SessionKind): EventParsers {
  return eventParsersFor(messageSchemaOf(kind));
}

/** The kind a raw `state.snapshotted` declares, if it is one with a well-formed declaration. */
function peekSnapshotKind(
  raw: unknown,
): { dialect: DialectRef | undefined; estimator: string | undefined } | undefined {
  if (!isRecord(raw) || raw.type !== 'state.snapshotted') return undefined;
  const state = isRecord(raw.data) ? raw.data.state : undefined;
  if (!isRecord(state)) return undefined;
  const { dialect, estimator } = state;
  const ref =
    isRecord(dialect) && typeof dialect.name === 'string' && typeof dialect.version === 'number'
      ? { name: dialect.name, version: dialect.version }
      : undefined;
  if (dialect !== undefined && ref === undefined) return undefined;
  if (estimator !== undefined && typeof estimator !== 'string') return undefined;
  return { dialect: ref, estimator };
}
