import { createHash } from 'node:crypto';
import { CopyMismatchError } from '@contextlog/core';
import type { PgQueryable } from '../client/types.js';
import type { TableName } from '../schema/table.js';
import type { AppendRequest } from './group-commit.js';
import { binaryTextArray } from './text-array.js';

/** The rows of one append as sent: their seq range and their digest (see `sentRows`). */
export interface SentRows {
  readonly first: number;
  readonly last: number;
  readonly digest: string;
}

/**
 * The digest of the rows of `request` as the server computes it in `storedRowsStatement`: the
 * SHA-256 of the rows' other columns as text (each row its columns joined by tabs and ended by a
 * newline; an op column that is missing or null is an empty field), then of their JSON texts as
 * the binary `text[]` lays them out (each its length in 4 bytes and its UTF-8 bytes; the encoding
 * the statement sent to `pg`, made once). Every column of every row counts.
 */
export function sentRows(request: AppendRequest): SentRows {
  const { seqs, types, vs, ats, datas, ops } = request;
  const lines = new Array<string>(seqs.length);
  for (let i = 0; i < seqs.length; i++) {
    lines[i] = `${seqs[i]}\t${types[i]}\t${vs[i]}\t${ats[i]}\t${ops?.[i] ?? ''}\n`;
  }
  const texts = binaryTextArray(datas);
  return {
    first: seqs[0] ?? 0,
    last: seqs[seqs.length - 1] ?? 0,
    digest: createHash('sha256')
      .update(lines.join(''), 'utf8')
      .update(texts.subarray(datas.length === 0 ? 12 : 20))
      .digest('hex'),
  };
}

/** Ranges per statement: each aggregate holds one range's text, the statement a few of them. */
const RANGES_PER_STATEMENT = 32;

/**
 * Whether the session's stored rows are, range by range, the ones sent (read inside the import's
 * transaction, before its COMMIT): `false` when the table's `data` column keeps no exact text
 * (not `json` or `text`: a hand-made `jsonb` reorders keys), so nothing can be compared. A
 * difference throws `CopyMismatchError`, and the import rolls back.
 */
export async function checkStoredRows(
  connection: PgQueryable,
  table: TableName,
  sessionId: string,
  sent: readonly SentRows[],
  withOp: boolean,
  source: string,
): Promise<boolean> {
  const { rows } = await connection.query<{ type: string | null }>(
    "SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = 'data' AND NOT attisdropped",
    [table.sql],
  );
  const type = rows[0]?.type;
  if (type !== 'json' && type !== 'text') return false;
  const sql = storedRowsStatement(table, withOp);
  for (let start = 0; start < sent.length; start += RANGES_PER_STATEMENT) {
    const ranges = sent.slice(start, start + RANGES_PER_STATEMENT);
    const { rows: stored } = await connection.query<{ digest: string | null }>(sql, [
      sessionId,
      ranges.map((range) => range.first),
      ranges.map((range) => range.last),
    ]);
    for (const [index, range] of ranges.entries()) {
      if (stored[index]?.digest !== range.digest) {
        throw new CopyMismatchError(
          `${source}: the rows stored for seq ${range.first}–${range.last} are not the events sent`,
        );
      }
    }
  }
  return true;
}

/** $1 session, $2 and $3 the ranges' first and last seqs: one digest per range, in order. */
export function storedRowsStatement(table: TableName, withOp: boolean): string {
  const op = withOp ? "coalesce(e.op, '')" : "''";
  return `SELECT encode(sha256((
  SELECT convert_to(string_agg(e.seq::text || E'\\t' || e.type || E'\\t' || e.v::text || E'\\t' || e.at || E'\\t' || ${op} || E'\\n', '' ORDER BY e.seq), 'UTF8')
    || string_agg(int4send(octet_length(d.text)) || d.text, ''::bytea ORDER BY e.seq)
  FROM ${table.sql} AS e CROSS JOIN LATERAL (SELECT convert_to(e.data::text, 'UTF8') AS text) AS d
  WHERE e.session_id = $1 AND e.seq BETWEEN r.first AND r.last
)), 'hex') AS digest
FROM unnest($2::bigint[], $3::bigint[]) WITH ORDINALITY AS r(first, last, n) ORDER BY r.n`;
}
