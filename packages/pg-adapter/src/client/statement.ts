import { createHash } from 'node:crypto';
import type { PgQueryOptions } from './types.js';

/** How a store sends a statement's text: named (prepared once per connection) or not. */
export type Preparer = (sql: string) => PgQueryOptions | undefined;

/**
 * The name of `sql` as a prepared statement: a hash of the text, so two texts (say, one table's
 * append and another's, or one table's before and after `migrate` added a column) never share a
 * name on a connection; 51 characters, under PostgreSQL's 63.
 */
export function statementName(sql: string): string {
  return `contextlog_${createHash('sha256').update(sql).digest('hex').slice(0, 40)}`;
}

/**
 * `enabled`: each text gets its name (computed once per text); otherwise every statement is sent
 * unnamed, parsed and planned on each call, as a pooler in transaction mode needs.
 */
export function preparer(enabled: boolean): Preparer {
  if (!enabled) return () => undefined;
  const names = new Map<string, PgQueryOptions>();
  return (sql) => {
    let options = names.get(sql);
    if (options === undefined) {
      options = { name: statementName(sql) };
      names.set(sql, options);
    }
    return options;
  };
}
