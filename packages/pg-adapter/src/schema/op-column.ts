import type { PgQueryable } from '../client/types.js';
import { snapshotsTableName, type TableName } from './table.js';

/**
 * Whether something `migrate` adds to a table made before it is there. A table made before keeps
 * working without running `migrate` again: looked up once, and again while it is missing (a
 * `migrate` may have added it since).
 */
export interface Presence {
  present(client: PgQueryable): Promise<boolean>;
}

/** The `op` column (operation ids): only an append of an event with an operation id needs it. */
export type OpColumn = Presence;

function presenceOf(sql: string, name: string): Presence {
  let known = false;
  return {
    async present(client) {
      if (known) return true;
      const { rows } = await client.query<{ present: boolean }>(sql, [name]);
      known = rows[0]?.present === true;
      return known;
    },
  };
}

export function opColumnOf(table: TableName): OpColumn {
  return presenceOf(
    "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = 'op' AND NOT attisdropped) AS present",
    table.sql,
  );
}

/**
 * The snapshots table (`<table>_snapshots`): without it a session has no snapshots to read, and
 * only taking or importing one needs it.
 */
export function snapshotsTableOf(table: TableName): Presence {
  return presenceOf('SELECT to_regclass($1) IS NOT NULL AS present', snapshotsTableName(table).sql);
}
