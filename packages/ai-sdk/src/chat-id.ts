import { decodeName, encodeName, MAX_ENCODED_NAME_LENGTH } from '@contextlog/fs-adapter';
import { InvalidChatIdError } from './errors.js';

/** The longest encoded chat id: fs-adapter's `MAX_ENCODED_NAME_LENGTH` (see there why 200). */
export const MAX_ENCODED_CHAT_ID_LENGTH = MAX_ENCODED_NAME_LENGTH;

export const CHAT_FILE_EXTENSION = '.jsonl';

/**
 * A chat id's file name stem: fs-adapter's `encodeName` (any string can be a chat id; `a`–`z`,
 * `0`–`9`, `-` kept, `A` → `_a`, other characters as `~` and the hex of their UTF-8 bytes, device
 * names escaped). Refused with `InvalidChatIdError`: the empty id, one that is not well-formed
 * UTF-16, and one whose encoding is longer than `MAX_ENCODED_CHAT_ID_LENGTH` (200 `a`–`z0`–`9`
 * characters, a UUID, or the AI SDK's `generateId()` all fit; 16 emoji do too).
 */
export function encodeChatId(chatId: string): string {
  const encoding = encodeName(chatId);
  if ('refused' in encoding) throw new InvalidChatIdError(chatId, encoding.refused);
  return encoding.name;
}

/** The chat id an encoded name stands for, or `undefined` if the name is no chat's. */
export function decodeChatId(encoded: string): string | undefined {
  return decodeName(encoded);
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
