const NON_ASCII = /[\u0080-\uffff]/g;

/**
 * JSON text with every non-ASCII character written as its `\uXXXX` escape: the same value to
 * `JSON.parse`, in ASCII only. For the lines of a snapshot's parts: one non-ASCII character makes
 * V8 decode a whole line as a two-byte string, measured ~10x slower for a megabyte line, and
 * `JSON.parse` of a two-byte line then gives two-byte strings for every value in it.
 */
export function asciiJson(text: string): string {
  return text.replace(
    NON_ASCII,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
