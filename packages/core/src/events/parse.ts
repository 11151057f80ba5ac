import { z } from 'zod';
import { UnknownEventError, ValidationError } from '../errors/index.js';
import { checkJsonData, STORED_EVENT_MAX_DEPTH } from './json-data.js';
import { MessageSchema } from './message.js';
import {
  CURRENT_EVENT_VERSION,
  EVENT_DATA_SCHEMAS,
  type EventType,
  type StoredEvent,
  storedEventSchemasFor,
} from './schemas.js';
import { findUpcaster } from './upcasters.js';
import { toValidationError } from './zod-issues.js';

/** One compiled parser per event type, for messages of one shape. */
export interface EventParsers {
  get(type: string): z.ZodType<StoredEvent> | undefined;
}

// Compiled once per message schema and event type, on first use: replay validates every stored
// event, so this is the hot path; a reader whose fast path takes every line compiles none (all
// of them cost ~20 ms at the start of each replay).
const PARSERS_BY_MESSAGE = new WeakMap<z.ZodType, EventParsers>();

export function eventParsersFor(message: z.ZodType): EventParsers {
  let parsers = PARSERS_BY_MESSAGE.get(message);
  if (parsers === undefined) {
    const schemas = storedEventSchemasFor(message);
    const compiled = new Map<string, z.ZodType<StoredEvent>>();
    parsers = {
      get(type) {
        let parser = compiled.get(type);
        if (parser === undefined) {
          const schema = schemas.get(type as EventType);
          if (schema === undefined) return undefined;
          parser = z.compile(schema) as z.ZodType<StoredEvent>;
          compiled.set(type, parser);
        }
        return parser;
      },
    };
    PARSERS_BY_MESSAGE.set(message, parsers);
  }
  return parsers;
}

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(EVENT_DATA_SCHEMAS, type);
}

/**
 * Validates a stored event read from anywhere (a file line, a database row), bringing older
 * versions up to date. A type or version this reader does not know is an `UnknownEventError`,
 * never a silent drop; a malformed one, or one holding data JSON could not give back as it is (a
 * `Date`, `NaN` …), is a `ValidationError` naming the field.
 */
export interface ParseStoredEventOptions {
  /**
   * `raw` is what `JSON.parse` made of a stored line or row: it holds JSON data only, so the check
   * that values read back from JSON as themselves is skipped (readers' fast paths skip it too; the
   * one thing it could still find, a number too large for a double such as `1e400`, which only
   * another writer can store, then reads as Infinity on every path alike).
   */
  readonly parsedFromJson?: boolean;
  /**
   * The schema of one message of the session (its dialect's); kimi-cli's by default. A reader
   * that follows a session's declared dialect uses `createEventParser` instead.
   */
  readonly messageSchema?: z.ZodType;
}

export function parseStoredEvent(raw: unknown, options?: ParseStoredEventOptions): StoredEvent {
  return parseStoredEventWith(
    eventParsersFor(options?.messageSchema ?? MessageSchema),
    raw,
    options,
  );
}

export function parseStoredEventWith(
  parsers: EventParsers,
  raw: unknown,
  options?: ParseStoredEventOptions,
): StoredEvent {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ValidationError('an event must be a JSON object', '');
  }
  const record = raw as Record<string, unknown>;
  const { type, v } = record;
  if (typeof type !== 'string') throw new ValidationError('type: expected a string', 'type');
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new ValidationError('v: expected a non-negative integer', 'v');
  }
  if (!isEventType(type)) {
    throw new UnknownEventError(type, v, `unknown event type "${type}" (v${v})`);
  }
  if (v > CURRENT_EVENT_VERSION) {
    throw new UnknownEventError(
      type,
      v,
      `event "${type}" v${v} is newer than this reader, which knows up to v${CURRENT_EVENT_VERSION}`,
    );
  }
  let input: unknown = record;
  if (v < CURRENT_EVENT_VERSION) {
    let data = record.data;
    for (let from = v; from < CURRENT_EVENT_VERSION; from++) {
      const upcast = findUpcaster(type, from);
      if (upcast === undefined) {
        throw new UnknownEventError(type, v, `no upcaster for event "${type}" from v${from}`);
      }
      data = upcast(data);
    }
    input = { ...record, v: CURRENT_EVENT_VERSION, data };
  }
  const parser = parsers.get(type);
  if (parser === undefined) throw new UnknownEventError(type, v, `unknown event type "${type}"`);
  const result = parser.safeParse(input);
  if (!result.success) throw toValidationError(result.error);
  // Fields the schemas do not know pass through zod as they are: from a direct caller of a store
  // they may be a Date or a Map, which the store could not give back as they are.
  if (options?.parsedFromJson === true) return result.data;
  return checkJsonData(result.data, [], STORED_EVENT_MAX_DEPTH);
}
