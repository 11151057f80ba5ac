import type { PgClient } from '../client/types.js';
import type { TableName } from './table.js';

/**
 * Whether the events table has the `op` column (operation ids, added by `migrate` since they
 * exist). A table made before keeps working without running `migrate` again: its events are read
 * as before, and only an append of an event with an operation id needs the column.
 */
export interface OpColumn {
  /** Looked up once, and again while it is missing (a `migrate` may have added it since). */
  present(client: PgClient): Promise<boolean>;
}

export function opColumnOf(table: TableName): OpColumn {
  let known = false;
  return {
    async present(client) {
      if (known) return true;
      const { rows } = await client.query<{ present: boolean }>(
        "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = 'op' AND NOT attisdropped) AS present",
        [table.sql],
      );
      known = rows[0]?.present === true;
      return known;
    },
  };
}
