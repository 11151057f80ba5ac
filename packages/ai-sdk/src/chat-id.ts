import { InvalidChatIdError } from './errors.js';

/**
 * The longest encoded chat id: a chat's file name is `<encoded>.jsonl`, and the file store puts
 * `.lock` or `.torn-<offset>-<n>` after that, all within the 255 bytes a file name may have on
 * common file systems (ext4, APFS, NTFS count 255 bytes or units).
 */
export const MAX_ENCODED_CHAT_ID_LENGTH = 200;

export const CHAT_FILE_EXTENSION = '.jsonl';

/**
 * Chat ids become file names through a reversible encoding, so any string can be a chat id
 * (`/`, `..`, `\`, NUL, emoji…) and `listChats` gives the ids back from the names:
 * - `a`–`z`, `0`–`9` and `-` stand for themselves;
 * - an uppercase `A`–`Z` is `_` and the letter in lowercase (`userA` → `user_a`), so two ids that
 *   differ only in case never share a file on a case-insensitive file system (macOS, Windows);
 * - any other character is each byte of its UTF-8 as `~` and two lowercase hex digits (`.` →
 *   `~2e`, `/` → `~2f`, `é` → `~c3~a9`);
 * - a name Windows reserves for a device (`con`, `nul`, `com1` …, whatever the extension) has its
 *   last character written as `~` and hex too (`con` → `co~6e`).
 * Names are ASCII, never start with `.` (the file store's temporary files do), and each id has
 * exactly one name: a name that is not the encoding of what it decodes to is no chat's.
 * Refused with `InvalidChatIdError`: the empty id, one that is not well-formed UTF-16 (a lone
 * surrogate, which neither UTF-8 nor PostgreSQL text can hold), and one whose encoding is longer
 * than `MAX_ENCODED_CHAT_ID_LENGTH` (200 `a`–`z0`–`9` characters, a UUID, or the AI SDK's
 * `generateId()` all fit; 16 emoji do too).
 */
export function encodeChatId(chatId: string): string {
  if (chatId === '') throw new InvalidChatIdError(chatId, 'it is empty');
  if (LONE_SURROGATE.test(chatId)) {
    throw new InvalidChatIdError(chatId, 'it holds a lone surrogate (not well-formed Unicode)');
  }
  // Checked before encoding, so a huge id costs no more than the limit: each UTF-16 unit
  // encodes to at least one character.
  if (chatId.length > MAX_ENCODED_CHAT_ID_LENGTH) throw tooLong(chatId);
  let encoded = '';
  for (const character of chatId) encoded += encodeCharacter(character);
  if (RESERVED_DEVICE_NAME.test(encoded)) {
    encoded = encoded.slice(0, -1) + escapeBytes(encoded.slice(-1));
  }
  if (encoded.length > MAX_ENCODED_CHAT_ID_LENGTH) throw tooLong(chatId);
  return encoded;
}

/** The chat id an encoded name stands for, or `undefined` if the name is no chat's. */
export function decodeChatId(encoded: string): string | undefined {
  if (encoded === '' || encoded.length > MAX_ENCODED_CHAT_ID_LENGTH) return undefined;
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
  let chatId: string;
  try {
    chatId = UTF8.decode(new Uint8Array(bytes));
  } catch {
    return undefined;
  }
  // Only the one canonical name of an id decodes: `~61` is no name of `a`.
  try {
    return encodeChatId(chatId) === encoded ? chatId : undefined;
  } catch {
    return undefined;
  }
}

/** The file name of a chat in a chat directory. */
export function chatFileName(chatId: string): string {
  return `${encodeChatId(chatId)}${CHAT_FILE_EXTENSION}`;
}

/** The chat a file name in a chat directory holds, or `undefined` for any other file. */
export function chatIdOfFileName(name: string): string | undefined {
  if (!name.endsWith(CHAT_FILE_EXTENSION)) return undefined;
  return decodeChatId(name.slice(0, -CHAT_FILE_EXTENSION.length));
}

const KEPT = /^[a-z0-9-]$/;
const UPPER = /^[A-Z]$/;
const LONE_SURROGATE = /\p{Surrogate}/u;
const RESERVED_DEVICE_NAME = /^(?:con|prn|aux|nul|com[0-9]|lpt[0-9])$/;
// `ignoreBOM`: a chat id may start with U+FEFF, which a default decoder would drop.
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

function tooLong(chatId: string): InvalidChatIdError {
  return new InvalidChatIdError(
    chatId,
    `its file name encoding is longer than ${MAX_ENCODED_CHAT_ID_LENGTH} characters (see encodeChatId)`,
  );
}
