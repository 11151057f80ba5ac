/** PostgreSQL's type oid of `text`, which a binary `text[]` names as its element type. */
const TEXT_OID = 25;

/**
 * The events' JSON texts as a `text[]` parameter. To `pg` (node-postgres) a Buffer goes in
 * PostgreSQL's binary format: each text as its length and its UTF-8 bytes. A string array would
 * be sent as an array literal, every `"` and `\` of the JSON escaped into a new string and that
 * string measured again: on a 200 MB copy that was ~5 s of CPU, more than the rest of the append
 * together. PGlite takes the array as it is.
 */
export function textArrayParam(
  kind: string,
  values: readonly string[],
): Buffer | readonly string[] {
  return kind === 'pg' ? binaryTextArray(values) : values;
}

/** Each batch's encoding, made once for the statement and the import's digest of its rows. */
const ENCODED = new WeakMap<readonly string[], Buffer>();

/**
 * A one-dimensional `text[]` without nulls in the binary format of `array_send`: a 20-byte header
 * (12 when empty), then each text as its length (4 bytes) and its UTF-8 bytes. The same array
 * gives the same Buffer: do not change either.
 */
export function binaryTextArray(values: readonly string[]): Buffer {
  let encoded = ENCODED.get(values);
  if (encoded === undefined) {
    encoded = encode(values);
    ENCODED.set(values, encoded);
  }
  return encoded;
}

function encode(values: readonly string[]): Buffer {
  if (values.length === 0) {
    // No dimensions: PostgreSQL's own encoding of an empty array.
    const empty = Buffer.alloc(12);
    empty.writeInt32BE(TEXT_OID, 8);
    return empty;
  }
  const lengths = new Array<number>(values.length);
  let size = 20 + 4 * values.length;
  for (const [index, value] of values.entries()) {
    const length = Buffer.byteLength(value, 'utf8');
    lengths[index] = length;
    size += length;
  }
  const buffer = Buffer.allocUnsafe(size);
  buffer.writeInt32BE(1, 0); // dimensions
  buffer.writeInt32BE(0, 4); // no nulls
  buffer.writeInt32BE(TEXT_OID, 8);
  buffer.writeInt32BE(values.length, 12);
  buffer.writeInt32BE(1, 16); // lower bound
  let at = 20;
  for (const [index, value] of values.entries()) {
    const length = lengths[index] as number;
    buffer.writeInt32BE(length, at);
    buffer.write(value, at + 4, length, 'utf8');
    at += 4 + length;
  }
  return buffer;
}
