// @contextlog/ai-sdk/testing: fast-check arbitraries of AI SDK UIMessages, for property tests of
// anything that stores them. fast-check is a peer dependency of this entry only.

export {
  type ArbUiMessageOptions,
  type ArbUiMessagesOptions,
  arbUiMessage,
  arbUiMessagePart,
  arbUiMessages,
} from './ui-message-arbitrary.js';
