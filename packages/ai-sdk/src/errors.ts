import { ContextlogError } from '@contextlog/core';

declare module '@contextlog/core' {
  interface ContextlogErrorCodes {
    EMPTY_MESSAGE_ID: EmptyMessageIdError;
    DUPLICATE_MESSAGE_ID: DuplicateMessageIdError;
    INVALID_CHAT_ID: InvalidChatIdError;
    CHAT_STORE_CLOSED: ChatStoreClosedError;
  }
}

const where = (source: string | undefined) => (source === undefined ? '' : `${source}: `);

/**
 * A message to save has no id, or an empty one. Saves are keyed by message id, so such a message
 * could not be told from another; the AI SDK leaves a response's id `""` unless the UI message
 * stream is given `generateMessageId`. Nothing was saved.
 */
export class EmptyMessageIdError extends ContextlogError {
  readonly code = 'EMPTY_MESSAGE_ID';
  constructor(
    readonly index: number,
    readonly source?: string,
  ) {
    super(
      `${where(source)}messages[${index}] has no id (or an empty one): every message needs a unique id (set generateMessageId where the UI message stream is made); nothing was saved`,
    );
  }
}

/** Two messages to save share an id, so a save keyed by id cannot tell them apart. Nothing was saved. */
export class DuplicateMessageIdError extends ContextlogError {
  readonly code = 'DUPLICATE_MESSAGE_ID';
  constructor(
    readonly id: string,
    readonly indices: readonly [number, number],
    readonly source?: string,
  ) {
    super(
      `${where(source)}messages[${indices[0]}] and messages[${indices[1]}] have the same id ${JSON.stringify(id)}: message ids must be unique in a chat; nothing was saved`,
    );
  }
}

/** A chat id that cannot name a chat: empty, not well-formed Unicode, or too long once encoded. */
export class InvalidChatIdError extends ContextlogError {
  readonly code = 'INVALID_CHAT_ID';
  constructor(
    readonly chatId: string,
    readonly reason: string,
  ) {
    super(`chat id ${describeChatId(chatId)} is refused: ${reason}`);
  }
}

/** A call on a chat store after its `close()`. */
export class ChatStoreClosedError extends ContextlogError {
  readonly code = 'CHAT_STORE_CLOSED';
  constructor() {
    super('the chat store is closed: open another with openChatStore');
  }
}

/** A chat id as an error message shows it: quoted, escaped, and cut if very long. */
function describeChatId(chatId: string): string {
  const shown = chatId.length > 80 ? `${chatId.slice(0, 80)}…` : chatId;
  return `${JSON.stringify(shown)}${chatId.length > 80 ? ` (${chatId.length} UTF-16 units)` : ''}`;
}
