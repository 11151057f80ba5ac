import { createHash } from 'node:crypto';
import { ValidationError } from '@contextlog/core';

export const DEFAULT_TABLE = 'contextlog_events';

/** A validated table name and its quoted SQL form. */
export interface TableName {
  readonly name: string;
  readonly sql: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** `table` or `schema.table`, plain identifiers only: names are spliced into SQL, quoted. */
export function tableName(name: string = DEFAULT_TABLE): TableName {
  const parts = name.split('.');
  if (parts.length > 2 || !parts.every((part) => IDENTIFIER.test(part))) {
    throw new ValidationError(
      `table: "${name}" is not a table name (letters, digits and _, at most 63 each, optionally schema.table)`,
      'table',
    );
  }
  return { name, sql: parts.map((part) => `"${part}"`).join('.') };
}

/**
 * The sessions table that goes with an events table: same schema, `<table>_sessions`. A name
 * that would pass PostgreSQL's 63-character limit (which truncates silently, so two long names
 * could meet) keeps a prefix and a hash of the whole name instead.
 */
export function sessionsTableName(events: TableName): TableName {
  return companionTableName(events, '_sessions');
}

/** The snapshots table that goes with an events table: `<table>_snapshots`, named the same way. */
export function snapshotsTableName(events: TableName): TableName {
  return companionTableName(events, '_snapshots');
}

function companionTableName(events: TableName, suffix: string): TableName {
  const parts = events.name.split('.');
  const table = parts.pop() as string;
  let name = `${table}${suffix}`;
  if (name.length > 63) {
    const digest = createHash('sha256').update(table).digest('hex').slice(0, 8);
    name = `${table.slice(0, 63 - suffix.length - 9)}_${digest}${suffix}`;
  }
  return tableName([...parts, name].join('.'));
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * PostgreSQL text holds neither NUL nor unpaired surrogates (UTF-8 cannot encode them), so a
 * column that stores a string as is refuses them up front, before anything is written.
 */
export function checkStorableText(value: string, field: string): void {
  if (value.includes('\u0000') || LONE_SURROGATE.test(value)) {
    throw new ValidationError(
      `${field}: PostgreSQL text cannot hold NUL or an unpaired surrogate`,
      field,
    );
  }
}

export function checkSessionId(sessionId: string): void {
  if (typeof sessionId !== 'string' || sessionId.length === 0) {
    throw new ValidationError('sessionId: expected a non-empty string', 'sessionId');
  }
  checkStorableText(sessionId, 'sessionId');
}

/** The NOTIFY channel of one session: a plain identifier whatever the session id is. */
export function sessionChannel(table: TableName, sessionId: string): string {
  const digest = createHash('sha256').update(table.sql).update('\u0000').update(sessionId);
  return `contextlog_${digest.digest('hex').slice(0, 40)}`;
}
