/**
 * The longest encoded name: a session file is `<encoded>.jsonl`, and the file store puts `.lock`
 * or `.torn-<offset>-<n>` after that, all within the 255 bytes a file name may have on common
 * file systems (ext4, APFS, NTFS count 255 bytes or units).
 */
export const MAX_ENCODED_NAME_LENGTH = 200;

/** An encoded name, or why the id has none. */
export type NameEncoding = { readonly name: string } | { readonly refused: string };

/**
 * Ids (a chat's, a transcript key's part) become file names through a reversible encoding, so any
 * string can be an id (`/`, `..`, `\`, NUL, emoji…) and a listing gives the ids back from names:
 * - `a`–`z`, `0`–`9` and `-` stand for themselves;
 * - an uppercase `A`–`Z` is `_` and the letter in lowercase (`userA` → `user_a`), so two ids that
 *   differ only in case never share a file on a case-insensitive file system (macOS, Windows);
 * - any other character is each byte of its UTF-8 as `~` and two lowercase hex digits (`.` →
 *   `~2e`, `/` → `~2f`, `é` → `~c3~a9`);
 * - a name Windows reserves for a device (`con`, `nul`, `com1` …, whatever the extension) has its
 *   last character written as `~` and hex too (`con` → `co~6e`).
 * Names are ASCII, never start with `.` (the file store's temporary files do), never hold `__`,
 * and each id has exactly one name: a name that is not the encoding of what it decodes to is no
 * id's. Refused (with the reason): the empty id, one that is not well-formed UTF-16 (a lone
 * surrogate, which neither UTF-8 nor PostgreSQL text can hold), and one whose encoding is longer
 * than `MAX_ENCODED_NAME_LENGTH` (200 `a`–`z0`–`9` characters, or a UUID, fit; 16 emoji do too).
 */
export function encodeName(id: string): NameEncoding {
  if (id === '') return { refused: 'it is empty' };
  if (LONE_SURROGATE.test(id)) {
    return { refused: 'it holds a lone surrogate (not well-formed Unicode)' };
  }
  // Checked before encoding, so a huge id costs no more than the limit: each UTF-16 unit
  // encodes to at least one character.
  if (id.length > MAX_ENCODED_NAME_LENGTH) return TOO_LONG;
  let encoded = '';
  for (const character of id) encoded += encodeCharacter(character);
  if (RESERVED_DEVICE_NAME.test(encoded)) {
    encoded = encoded.slice(0, -1) + escapeBytes(encoded.slice(-1));
  }
  if (encoded.length > MAX_ENCODED_NAME_LENGTH) return TOO_LONG;
  return { name: encoded };
}

/** The id an encoded name stands for, or `undefined` if the name is no id's. */
export function decodeName(encoded: string): string | undefined {
  if (encoded === '' || encoded.length > MAX_ENCODED_NAME_LENGTH) return undefined;
  const bytes: number[] = [];
  for (let i = 0; i < encoded.length; i++) {
    const character = encoded.charAt(i);
    if (KEPT.test(character)) bytes.push(character.charCodeAt(0));
    else if (character === '_' && /^[a-z]$/.test(encoded.charAt(i + 1))) {
      bytes.push(encoded.charAt(++i).toUpperCase().charCodeAt(0));
    } else if (character === '~' && /^[0-9a-f]{2}$/.test(encoded.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(encoded.slice(i + 1, i + 3), 16));
      i += 2;
    } else return undefined;
  }
  let id: string;
  try {
    id = UTF8.decode(new Uint8Array(bytes));
  } catch {
    return undefined;
  }
  // Only the one canonical name of an id decodes: `~61` is no name of `a`.
  const again = encodeName(id);
  return 'name' in again && again.name === encoded ? id : undefined;
}

const TOO_LONG: NameEncoding = {
  refused: `its file name encoding is longer than ${MAX_ENCODED_NAME_LENGTH} characters (see encodeName in @contextlog/fs-adapter)`,
};
const KEPT = /^[a-z0-9-]$/;
const UPPER = /^[A-Z]$/;
const LONE_SURROGATE = /\p{Surrogate}/u;
const RESERVED_DEVICE_NAME = /^(?:con|prn|aux|nul|com[0-9]|lpt[0-9])$/;
// `ignoreBOM`: an id may start with U+FEFF, which a default decoder would drop.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const ENCODER = new TextEncoder();

function encodeCharacter(character: string): string {
  if (KEPT.test(character)) return character;
  if (UPPER.test(character)) return `_${character.toLowerCase()}`;
  return escapeBytes(character);
}

function escapeBytes(text: string): string {
  let out = '';
  for (const byte of ENCODER.encode(text)) out += `~${byte.toString(16).padStart(2, '0')}`;
  return out;
}
