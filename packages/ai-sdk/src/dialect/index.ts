// @contextlog/ai-sdk/dialect: the `ai-sdk-ui` dialect alone, for readers of sessions (the
// contextlog CLI) that need neither the chat store nor the `ai` package. Its imports are core
// and zod only.

export { aiSdkUiDialect } from './ai-sdk-ui-dialect.js';
export { type UiMessage, type UiMessagePart, UiMessageSchema } from './ui-message.js';
