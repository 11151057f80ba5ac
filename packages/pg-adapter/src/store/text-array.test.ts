import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, PG_URL, type TestDb } from '../testing/backends.js';
import { binaryTextArray, textArrayParam } from './text-array.js';

const TEXTS = [
  '',
  '{"a":"say \\"hi\\"","b":"back\\\\slash"}',
  '{,}',
  'NULL',
  '"',
  'emoji 😀, CJK 漢字, é',
  'x'.repeat(100_000),
];

describe.skipIf(PG_URL === undefined)('binaryTextArray on a real server', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb('postgres');
  });
  afterAll(async () => {
    await db?.close();
  });

  it('arrives as the same texts, in order', async () => {
    const { rows } = await db.client.query<{ t: string; n: string }>(
      'SELECT t, n FROM unnest($1::text[]) WITH ORDINALITY AS u(t, n) ORDER BY n',
      [binaryTextArray(TEXTS)],
    );
    expect(rows.map((row) => row.t)).toEqual(TEXTS);
  });

  it('an empty one is an empty array', async () => {
    const { rows } = await db.client.query<{ n: number | null; d: number | null }>(
      'SELECT cardinality($1::text[]) AS n, array_ndims($1::text[]) AS d',
      [binaryTextArray([])],
    );
    expect(rows).toEqual([{ n: 0, d: null }]);
  });
});

describe('textArrayParam', () => {
  it('is binary for pg only: PGlite takes the strings', () => {
    expect(Buffer.isBuffer(textArrayParam('pg', ['a']))).toBe(true);
    expect(textArrayParam('pglite', ['a'])).toEqual(['a']);
  });
});
