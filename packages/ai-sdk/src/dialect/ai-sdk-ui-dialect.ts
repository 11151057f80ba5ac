import { codePointLength, type Dialect, defineDialect } from '@contextlog/core';
import { type UiMessage, UiMessageSchema } from './ui-message.js';

/**
 * Code points of a message's `text` and `reasoning` parts: the prose the next model call reads
 * back (convertToModelMessages sends both). Tool inputs and outputs, data parts, files and
 * sources are not counted, as kimi-cli's estimate does not count a tool call's arguments: the
 * estimate is a floor that the next usage record corrects. A part whose `text` is not a string
 * counts nothing (the envelope schema does not check parts' fields).
 */
function uiMessageTextLength(message: UiMessage): number {
  let length = 0;
  for (const part of message.parts) {
    if (part.type !== 'text' && part.type !== 'reasoning') continue;
    const { text } = part as { text?: unknown };
    if (typeof text === 'string') length += codePointLength(text);
  }
  return length;
}

/**
 * The `ai-sdk-ui` dialect: sessions whose messages are AI SDK `UIMessage`s. No
 * `checkpointMessage`: a UIMessage needs an id unique in its chat, which only the application
 * can give, so `checkpoint({ addUserMessage: true })` is refused on such a session.
 */
export const aiSdkUiDialect: Dialect<UiMessage> = defineDialect<UiMessage>({
  name: 'ai-sdk-ui',
  version: 1,
  schema: UiMessageSchema,
  textLength: uiMessageTextLength,
});
